//! Screening a person against every program: CEL rules evaluated over recorded facts,
//! giving eligible / not eligible / needs information with the reasons in plain words.
//!
//! Rules are compiled once ([`Screener::new`]). Identical expressions shared by several
//! programs are evaluated once per person, and each distinct expression is memoised
//! on the tuple of fact values it reads: most rules read one or two facts with few
//! distinct values (nationality, location, age), so across a caseload almost every
//! evaluation is a hash lookup. The cache is per thread, so bulk screening
//! ([`Screener::screen_many`]) runs on rayon without locks.

use std::collections::{BTreeMap, HashMap};
use std::hash::{Hash, Hasher};

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHasher};
use serde::{Deserialize, Serialize};

use crate::catalogue::{Catalogue, Program};
use crate::date::Date;
use crate::error::PathwaysError;
use crate::facts::{FactKind, FactValue, Facts};

/// The decision for one program.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Every rule holds and the program is open.
    Eligible,
    /// At least one rule fails, or the program is closed.
    NotEligible,
    /// No rule fails but some need facts nobody has recorded yet.
    NeedsInformation,
}

/// How one rule came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleOutcome {
    /// The expression is true.
    Pass,
    /// The expression is false.
    Fail,
    /// A fact it reads is not recorded (or has the wrong kind).
    Missing,
    /// The expression could not be evaluated (e.g. compares a number with text).
    Error,
}

/// Compact result of screening one person: what bulk jobs keep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Screening {
    /// One verdict per program, in catalogue order.
    pub verdicts: Vec<Verdict>,
    /// Outcome of each distinct rule expression (see [`Screener::rule_outcome`]).
    distinct_outcomes: Vec<RuleOutcome>,
}

/// A rule's result, explained.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleResult {
    /// Rule key.
    pub rule: String,
    /// Outcome.
    pub outcome: RuleOutcome,
    /// The plain-words reason for this outcome.
    pub reason: String,
    /// Facts the rule reads.
    pub reads: Vec<String>,
    /// Facts it needs that are missing (for `Missing`).
    pub missing: Vec<String>,
    /// Where the requirement comes from.
    pub source: String,
}

/// The decision for one program, with every reason: what the applicant is told.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Eligibility {
    /// Program key.
    pub program: String,
    /// Program name.
    pub program_name: String,
    /// Decision.
    pub verdict: Verdict,
    /// Whether the program took applications on the screening date.
    pub open: bool,
    /// The reasons that decided it, in plain words.
    pub reasons: Vec<String>,
    /// Facts to record before a decision can be made.
    pub needs_information: Vec<String>,
    /// Every rule, in file order.
    pub rules: Vec<RuleResult>,
}

/// Counts of verdicts per program over a caseload.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScreeningSummary {
    /// People screened.
    pub people: u64,
    /// Program key → (eligible, not eligible, needs information).
    pub by_program: BTreeMap<String, [u64; 3]>,
}

struct DistinctRule {
    program: cel::Program,
    reads: Vec<usize>,
}

/// Compiled rules of a catalogue, ready to screen people.
pub struct Screener {
    catalogue: Catalogue,
    fact_index: FxHashMap<String, usize>,
    fact_names: Vec<String>,
    fact_kinds: Vec<FactKind>,
    distinct: Vec<DistinctRule>,
    /// Per program, per rule: index into `distinct`.
    program_rules: Vec<Vec<usize>>,
}

type MemoBucket = Vec<(Vec<Option<FactValue>>, RuleOutcome)>;

/// Per-thread evaluation state: the CEL root context and one memo per distinct rule.
pub struct ScreenCache {
    root: cel::Context<'static, 'static>,
    memo: Vec<FxHashMap<u64, MemoBucket>>,
    slots: Vec<Option<usize>>,
    hashes: Vec<u64>,
    /// Evaluations that missed the memo (for benchmarks).
    pub evaluations: u64,
    /// Memo hits.
    pub hits: u64,
}

impl Screener {
    /// Compile every rule of the catalogue.
    pub fn new(catalogue: &Catalogue) -> Result<Screener, PathwaysError> {
        let fact_names: Vec<String> = catalogue.facts.iter().map(|f| f.name.clone()).collect();
        let fact_kinds: Vec<FactKind> = catalogue.facts.iter().map(|f| f.kind).collect();
        let fact_index: FxHashMap<String, usize> = fact_names
            .iter()
            .enumerate()
            .map(|(i, n)| (n.clone(), i))
            .collect();
        let mut by_expression: HashMap<String, usize> = HashMap::new();
        let mut distinct = Vec::new();
        let mut program_rules = Vec::new();
        for program in &catalogue.programs {
            let mut ids = Vec::new();
            for rule in &program.rules {
                let id = match by_expression.get(&rule.expression) {
                    Some(&id) => id,
                    None => {
                        let compiled = cel::Program::compile(&rule.expression).map_err(|e| {
                            PathwaysError::RuleCompile {
                                program: program.key.clone(),
                                rule: rule.key.clone(),
                                message: e.to_string(),
                            }
                        })?;
                        let reads = rule
                            .reads
                            .iter()
                            .map(|r| {
                                fact_index.get(r).copied().ok_or_else(|| {
                                    PathwaysError::RuleCompile {
                                        program: program.key.clone(),
                                        rule: rule.key.clone(),
                                        message: format!("reads undeclared fact {r:?}"),
                                    }
                                })
                            })
                            .collect::<Result<Vec<_>, _>>()?;
                        distinct.push(DistinctRule {
                            program: compiled,
                            reads,
                        });
                        by_expression.insert(rule.expression.clone(), distinct.len() - 1);
                        distinct.len() - 1
                    }
                };
                ids.push(id);
            }
            program_rules.push(ids);
        }
        Ok(Screener {
            catalogue: catalogue.clone(),
            fact_index,
            fact_names,
            fact_kinds,
            distinct,
            program_rules,
        })
    }

    /// The catalogue the rules came from.
    pub fn catalogue(&self) -> &Catalogue {
        &self.catalogue
    }

    /// Number of distinct rule expressions (after sharing between programs).
    pub fn distinct_rules(&self) -> usize {
        self.distinct.len()
    }

    /// A fresh per-thread cache.
    pub fn cache(&self) -> ScreenCache {
        ScreenCache {
            root: cel::Context::default(),
            memo: (0..self.distinct.len())
                .map(|_| FxHashMap::default())
                .collect(),
            slots: vec![None; self.fact_names.len()],
            hashes: vec![0; self.fact_names.len()],
            evaluations: 0,
            hits: 0,
        }
    }

    /// Outcome of rule `rule` of program `program` in a screening.
    pub fn rule_outcome(&self, screening: &Screening, program: usize, rule: usize) -> RuleOutcome {
        screening.distinct_outcomes[self.program_rules[program][rule]]
    }

    fn index_facts<'f>(
        &self,
        facts: &'f Facts,
        cache: &mut ScreenCache,
    ) -> Vec<Option<&'f FactValue>> {
        let mut slots: Vec<Option<&FactValue>> = vec![None; self.fact_names.len()];
        for (name, value) in &facts.0 {
            if let Some(&i) = self.fact_index.get(name) {
                if value.kind() == self.fact_kinds[i] {
                    slots[i] = Some(value);
                }
            }
        }
        for (i, slot) in slots.iter().enumerate() {
            let mut h = FxHasher::default();
            slot.hash(&mut h);
            cache.hashes[i] = h.finish();
            cache.slots[i] = slot.map(|_| i);
        }
        slots
    }

    fn evaluate_distinct(
        &self,
        id: usize,
        slots: &[Option<&FactValue>],
        cache: &mut ScreenCache,
    ) -> RuleOutcome {
        let rule = &self.distinct[id];
        let mut h = FxHasher::default();
        for &r in &rule.reads {
            h.write_u64(cache.hashes[r]);
        }
        let key = h.finish();
        if let Some(bucket) = cache.memo[id].get(&key) {
            for (stored, outcome) in bucket {
                if stored
                    .iter()
                    .zip(&rule.reads)
                    .all(|(s, &r)| s.as_ref() == slots[r])
                {
                    cache.hits += 1;
                    return *outcome;
                }
            }
        }
        cache.evaluations += 1;
        let outcome = self.run_cel(id, slots, &cache.root).0;
        let stored: Vec<Option<FactValue>> =
            rule.reads.iter().map(|&r| slots[r].cloned()).collect();
        cache.memo[id]
            .entry(key)
            .or_default()
            .push((stored, outcome));
        outcome
    }

    fn run_cel(
        &self,
        id: usize,
        slots: &[Option<&FactValue>],
        root: &cel::Context<'static, 'static>,
    ) -> (RuleOutcome, Option<String>) {
        let rule = &self.distinct[id];
        let mut context = root.new_inner_scope();
        for &r in &rule.reads {
            if let Some(value) = slots[r] {
                context.add_variable_from_value(self.fact_names[r].clone(), value.to_cel());
            }
        }
        match rule.program.execute(&context) {
            Ok(cel::Value::Bool(true)) => (RuleOutcome::Pass, None),
            Ok(cel::Value::Bool(false)) => (RuleOutcome::Fail, None),
            Ok(other) => (
                RuleOutcome::Error,
                Some(format!("the rule gave {other:?}, not true or false")),
            ),
            Err(cel::ExecutionError::UndeclaredReference(_)) => (RuleOutcome::Missing, None),
            Err(e) => {
                // A missing fact can also surface as a type error inside an operator;
                // if any fact the rule reads is absent, ask for it rather than blame the rule.
                if rule.reads.iter().any(|&r| slots[r].is_none()) {
                    (RuleOutcome::Missing, None)
                } else {
                    (RuleOutcome::Error, Some(e.to_string()))
                }
            }
        }
    }

    /// Screen one person against every program as of `as_of` (a program closed on that
    /// date is not eligible, with the closure as the reason).
    pub fn screen(&self, facts: &Facts, as_of: Date, cache: &mut ScreenCache) -> Screening {
        let slots = self.index_facts(facts, cache);
        let mut distinct_outcomes = Vec::with_capacity(self.distinct.len());
        for id in 0..self.distinct.len() {
            distinct_outcomes.push(self.evaluate_distinct(id, &slots, cache));
        }
        let verdicts = self
            .catalogue
            .programs
            .iter()
            .zip(&self.program_rules)
            .map(|(program, rules)| {
                if !program.is_open_on(as_of) {
                    return Verdict::NotEligible;
                }
                let mut verdict = Verdict::Eligible;
                for &id in rules {
                    match distinct_outcomes[id] {
                        RuleOutcome::Fail => return Verdict::NotEligible,
                        RuleOutcome::Missing | RuleOutcome::Error => {
                            verdict = Verdict::NeedsInformation
                        }
                        RuleOutcome::Pass => {}
                    }
                }
                verdict
            })
            .collect();
        Screening {
            verdicts,
            distinct_outcomes,
        }
    }

    /// Screen one person and explain every program's decision.
    pub fn screen_explained(&self, facts: &Facts, as_of: Date) -> Vec<Eligibility> {
        let mut cache = self.cache();
        let screening = self.screen(facts, as_of, &mut cache);
        self.explain(&screening, facts, as_of, &cache)
    }

    /// Screen one person against one program, explained.
    pub fn screen_program(
        &self,
        program_key: &str,
        facts: &Facts,
        as_of: Date,
    ) -> Result<Eligibility, PathwaysError> {
        let index = self
            .catalogue
            .programs
            .iter()
            .position(|p| p.key == program_key)
            .ok_or_else(|| PathwaysError::UnknownProgram(program_key.to_owned()))?;
        Ok(self.screen_explained(facts, as_of).swap_remove(index))
    }

    /// Turn a compact screening into reasons in plain words.
    pub fn explain(
        &self,
        screening: &Screening,
        facts: &Facts,
        as_of: Date,
        cache: &ScreenCache,
    ) -> Vec<Eligibility> {
        let mut scratch = self.cache_like(cache);
        let slots = self.index_facts(facts, &mut scratch);
        self.catalogue
            .programs
            .iter()
            .enumerate()
            .map(|(p, program)| {
                self.explain_program(p, program, screening, facts, &slots, as_of, cache)
            })
            .collect()
    }

    fn cache_like(&self, _cache: &ScreenCache) -> ScreenCache {
        ScreenCache {
            root: cel::Context::default(),
            memo: Vec::new(),
            slots: vec![None; self.fact_names.len()],
            hashes: vec![0; self.fact_names.len()],
            evaluations: 0,
            hits: 0,
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn explain_program(
        &self,
        p: usize,
        program: &Program,
        screening: &Screening,
        facts: &Facts,
        slots: &[Option<&FactValue>],
        as_of: Date,
        cache: &ScreenCache,
    ) -> Eligibility {
        let verdict = screening.verdicts[p];
        let open = program.is_open_on(as_of);
        let mut rules = Vec::new();
        let mut needs: Vec<String> = Vec::new();
        for (r, rule) in program.rules.iter().enumerate() {
            let id = self.program_rules[p][r];
            let outcome = screening.distinct_outcomes[id];
            let mut missing = Vec::new();
            let reason = match outcome {
                RuleOutcome::Pass => rule.pass.clone(),
                RuleOutcome::Fail => rule.fail.clone(),
                RuleOutcome::Missing => {
                    for name in &rule.reads {
                        let i = self.fact_index[name];
                        if slots[i].is_none() {
                            missing.push(name.clone());
                        }
                    }
                    let mut words: Vec<String> = Vec::new();
                    for name in &missing {
                        let i = self.fact_index[name];
                        match facts.get(name) {
                            Some(v) => words.push(format!(
                                "{name} (recorded as {}, must be a {})",
                                v.kind(),
                                self.fact_kinds[i]
                            )),
                            None => words.push(name.clone()),
                        }
                    }
                    format!("needs information: {}", words.join(", "))
                }
                RuleOutcome::Error => {
                    let detail = self.run_cel(id, slots, &cache.root).1.unwrap_or_default();
                    format!("needs review: the rule could not be evaluated ({detail})")
                }
            };
            for m in &missing {
                if !needs.contains(m) {
                    needs.push(m.clone());
                }
            }
            rules.push(RuleResult {
                rule: rule.key.clone(),
                outcome,
                reason,
                reads: rule.reads.clone(),
                missing,
                source: rule.source.clone(),
            });
        }
        let mut reasons = Vec::new();
        if !open {
            reasons.push(match (program.closed_on, program.open_from) {
                (Some(closed), _) if as_of >= closed => format!(
                    "The program stopped taking applications on {closed}{}",
                    program
                        .closure
                        .as_ref()
                        .map(|c| format!(" ({})", c.citation))
                        .unwrap_or_default()
                ),
                (_, Some(from)) => format!("The program opens for applications on {from}"),
                _ => "The program is not open".to_owned(),
            });
        }
        let decided: Vec<&RuleResult> = match verdict {
            Verdict::Eligible => rules.iter().collect(),
            Verdict::NotEligible => rules
                .iter()
                .filter(|r| r.outcome == RuleOutcome::Fail)
                .collect(),
            Verdict::NeedsInformation => rules
                .iter()
                .filter(|r| matches!(r.outcome, RuleOutcome::Missing | RuleOutcome::Error))
                .collect(),
        };
        reasons.extend(decided.iter().map(|r| r.reason.clone()));
        Eligibility {
            program: program.key.clone(),
            program_name: program.name.clone(),
            verdict,
            open,
            reasons,
            needs_information: needs,
            rules,
        }
    }

    /// Screen a caseload in parallel. `progress(done, total)` is called after each chunk.
    pub fn screen_many(
        &self,
        people: &[Facts],
        as_of: Date,
        progress: &(dyn Fn(u64, u64) + Sync),
    ) -> Vec<Screening> {
        let total = people.len() as u64;
        let done = std::sync::atomic::AtomicU64::new(0);
        let chunks: Vec<Vec<Screening>> = people
            .par_chunks(4096)
            .map_init(
                || self.cache(),
                |cache, chunk| {
                    let out: Vec<Screening> =
                        chunk.iter().map(|f| self.screen(f, as_of, cache)).collect();
                    let now = done
                        .fetch_add(chunk.len() as u64, std::sync::atomic::Ordering::Relaxed)
                        + chunk.len() as u64;
                    progress(now, total);
                    out
                },
            )
            .collect();
        chunks.into_iter().flatten().collect()
    }

    /// Count verdicts per program.
    pub fn summarise(&self, screenings: &[Screening]) -> ScreeningSummary {
        let mut counts = vec![[0u64; 3]; self.catalogue.programs.len()];
        for s in screenings {
            for (c, v) in counts.iter_mut().zip(&s.verdicts) {
                c[match v {
                    Verdict::Eligible => 0,
                    Verdict::NotEligible => 1,
                    Verdict::NeedsInformation => 2,
                }] += 1;
            }
        }
        ScreeningSummary {
            people: screenings.len() as u64,
            by_program: self
                .catalogue
                .programs
                .iter()
                .zip(counts)
                .map(|(p, c)| (p.key.clone(), c))
                .collect(),
        }
    }
}
