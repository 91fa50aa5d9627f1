//! Scheduling files: officers, shifts, people, interpreter sessions and absences as CSV,
//! parsed with `file:line: field` diagnostics, and a schedule written and read back in
//! one layout (so a re-plan can start from the schedule people were told).
//!
//! Layouts (a header row; extra columns are ignored):
//! - officers: `officer_id,languages` (languages separated by `;` or spaces);
//! - shifts: `officer_id,day,start,end,location` (day `YYYY-MM-DD`, times `HH:MM`);
//! - people: `person_id,language,priority,earliest,location` (priority 0–9);
//! - interpreters: `day,location,language,sessions`;
//! - absences: `officer_id,day`;
//! - schedule: `person_id,officer_id,day,start,location,interpreter` (`yes`/`no`).

use std::collections::BTreeMap;

use hemi_core::{Diagnostic, Diagnostics};

use crate::schedule::{Appointment, InterpreterPool, Interviewee, Officer, Schedule, Shift};
use crate::Date;

/// Rows of a CSV text with the columns a layout needs, by name.
struct Rows<'a> {
    file: &'a str,
    columns: BTreeMap<&'static str, usize>,
    records: Vec<(u64, csv::StringRecord)>,
}

impl<'a> Rows<'a> {
    fn read(
        text: &str,
        file: &'a str,
        required: &[&'static str],
        diags: &mut Diagnostics,
    ) -> Option<Rows<'a>> {
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes());
        let header: Vec<String> = match reader.headers() {
            Ok(h) => h.iter().map(|c| c.trim().to_ascii_lowercase()).collect(),
            Err(e) => {
                diags.push(problem(
                    file,
                    1,
                    "header",
                    format!("cannot read the header: {e}"),
                    "the first line must name the columns",
                ));
                return None;
            }
        };
        let mut columns = BTreeMap::new();
        for name in required {
            match header.iter().position(|h| h == name) {
                Some(i) => {
                    columns.insert(*name, i);
                }
                None => diags.push(problem(
                    file,
                    1,
                    name,
                    format!(
                        "column \"{name}\" is missing (header: {})",
                        header.join(",")
                    ),
                    &format!("the header needs {}", required.join(",")),
                )),
            }
        }
        if columns.len() < required.len() {
            return None;
        }
        let mut records = Vec::new();
        for record in reader.records() {
            match record {
                Ok(r) => records.push((r.position().map(|p| p.line()).unwrap_or(0), r)),
                Err(e) => {
                    diags.push(problem(
                        file,
                        e.position().map(|p| p.line()).unwrap_or(0),
                        "row",
                        format!("unreadable row: {e}"),
                        "check quoting and UTF-8",
                    ));
                    return None;
                }
            }
        }
        Some(Rows {
            file,
            columns,
            records,
        })
    }

    fn get<'r>(&self, record: &'r csv::StringRecord, column: &str) -> &'r str {
        record.get(self.columns[column]).unwrap_or("")
    }

    fn id(
        &self,
        record: &csv::StringRecord,
        line: u64,
        column: &str,
        diags: &mut Diagnostics,
    ) -> Option<String> {
        let value = self.get(record, column);
        if value.is_empty() {
            diags.push(problem(
                self.file,
                line,
                column,
                "empty".into(),
                "every row needs a value here",
            ));
            return None;
        }
        Some(value.to_owned())
    }

    fn date(
        &self,
        record: &csv::StringRecord,
        line: u64,
        column: &str,
        diags: &mut Diagnostics,
    ) -> Option<Date> {
        let value = self.get(record, column);
        let date = Date::parse(value);
        if date.is_none() {
            diags.push(problem(
                self.file,
                line,
                column,
                format!("\"{value}\" is not a date"),
                "write dates as YYYY-MM-DD",
            ));
        }
        date
    }

    fn minute(
        &self,
        record: &csv::StringRecord,
        line: u64,
        column: &str,
        diags: &mut Diagnostics,
    ) -> Option<u32> {
        let value = self.get(record, column);
        let minute = value.split_once(':').and_then(|(h, m)| {
            let (h, m) = (h.parse::<u32>().ok()?, m.parse::<u32>().ok()?);
            (h <= 24 && m < 60 && h * 60 + m <= 24 * 60).then_some(h * 60 + m)
        });
        if minute.is_none() {
            diags.push(problem(
                self.file,
                line,
                column,
                format!("\"{value}\" is not a time of day"),
                "write times as HH:MM, e.g. 08:00",
            ));
        }
        minute
    }

    fn number(
        &self,
        record: &csv::StringRecord,
        line: u64,
        column: &str,
        max: u32,
        diags: &mut Diagnostics,
    ) -> Option<u32> {
        let value = self.get(record, column);
        match value.parse::<i64>() {
            Ok(n) if (0..=i64::from(max)).contains(&n) => Some(n as u32),
            Ok(n) if n < 0 => {
                diags.push(problem(
                    self.file,
                    line,
                    column,
                    format!("{n} is negative"),
                    "give a whole number of at least 0",
                ));
                None
            }
            _ => {
                diags.push(problem(
                    self.file,
                    line,
                    column,
                    format!("\"{value}\" is not a whole number from 0 to {max}"),
                    "give a whole number",
                ));
                None
            }
        }
    }
}

fn problem(file: &str, line: u64, field: &str, message: String, hint: &str) -> Diagnostic {
    Diagnostic {
        file: file.to_owned(),
        line,
        field: field.to_owned(),
        message,
        hint: hint.to_owned(),
    }
}

fn finish<T>(value: T, diags: Diagnostics) -> Result<T, Diagnostics> {
    if diags.is_empty() {
        Ok(value)
    } else {
        Err(diags)
    }
}

/// Parse the officers file.
pub fn parse_officers(text: &str, file: &str) -> Result<Vec<Officer>, Diagnostics> {
    let mut diags = Diagnostics::default();
    let Some(rows) = Rows::read(text, file, &["officer_id", "languages"], &mut diags) else {
        return Err(diags);
    };
    let mut seen = BTreeMap::new();
    let mut out = Vec::new();
    for (line, r) in &rows.records {
        let Some(id) = rows.id(r, *line, "officer_id", &mut diags) else {
            continue;
        };
        if let Some(first) = seen.insert(id.clone(), *line) {
            diags.push(problem(
                file,
                *line,
                "officer_id",
                format!("\"{id}\" appears again (first on line {first})"),
                "one row per officer",
            ));
            continue;
        }
        let languages: Vec<String> = rows
            .get(r, "languages")
            .split(|c: char| c == ';' || c.is_whitespace())
            .filter(|l| !l.is_empty())
            .map(str::to_ascii_lowercase)
            .collect();
        if languages.is_empty() {
            diags.push(problem(
                file,
                *line,
                "languages",
                "no language".into(),
                "list the languages the officer interviews in, e.g. es;en",
            ));
            continue;
        }
        out.push(Officer {
            officer_id: id,
            languages,
        });
    }
    finish(out, diags)
}

/// Parse the shifts file.
pub fn parse_shifts(text: &str, file: &str) -> Result<Vec<Shift>, Diagnostics> {
    let mut diags = Diagnostics::default();
    let Some(rows) = Rows::read(
        text,
        file,
        &["officer_id", "day", "start", "end", "location"],
        &mut diags,
    ) else {
        return Err(diags);
    };
    let mut out = Vec::new();
    for (line, r) in &rows.records {
        let id = rows.id(r, *line, "officer_id", &mut diags);
        let day = rows.date(r, *line, "day", &mut diags);
        let start = rows.minute(r, *line, "start", &mut diags);
        let end = rows.minute(r, *line, "end", &mut diags);
        let location = rows.id(r, *line, "location", &mut diags);
        let (Some(officer_id), Some(day), Some(start_minute), Some(end_minute), Some(location)) =
            (id, day, start, end, location)
        else {
            continue;
        };
        if end_minute <= start_minute {
            diags.push(problem(
                file,
                *line,
                "end",
                format!(
                    "{} is not after the start {}",
                    rows.get(r, "end"),
                    rows.get(r, "start")
                ),
                "a shift ends after it starts",
            ));
            continue;
        }
        out.push(Shift {
            officer_id,
            day,
            start_minute,
            end_minute,
            location,
        });
    }
    finish(out, diags)
}

/// Parse the people file.
pub fn parse_people(text: &str, file: &str) -> Result<Vec<Interviewee>, Diagnostics> {
    let mut diags = Diagnostics::default();
    let Some(rows) = Rows::read(
        text,
        file,
        &["person_id", "language", "priority", "earliest", "location"],
        &mut diags,
    ) else {
        return Err(diags);
    };
    let mut seen = BTreeMap::new();
    let mut out = Vec::new();
    for (line, r) in &rows.records {
        let id = rows.id(r, *line, "person_id", &mut diags);
        let language = rows.id(r, *line, "language", &mut diags);
        let priority = rows.number(r, *line, "priority", 9, &mut diags);
        let earliest = rows.date(r, *line, "earliest", &mut diags);
        let location = rows.id(r, *line, "location", &mut diags);
        let (Some(person_id), Some(language), Some(priority), Some(earliest), Some(location)) =
            (id, language, priority, earliest, location)
        else {
            continue;
        };
        if let Some(first) = seen.insert(person_id.clone(), *line) {
            diags.push(problem(
                file,
                *line,
                "person_id",
                format!("\"{person_id}\" appears again (first on line {first})"),
                "one row per person",
            ));
            continue;
        }
        out.push(Interviewee {
            person_id,
            language: language.to_ascii_lowercase(),
            priority: priority as u8,
            earliest,
            location,
        });
    }
    finish(out, diags)
}

/// Parse the interpreter sessions file.
pub fn parse_interpreters(text: &str, file: &str) -> Result<Vec<InterpreterPool>, Diagnostics> {
    let mut diags = Diagnostics::default();
    let Some(rows) = Rows::read(
        text,
        file,
        &["day", "location", "language", "sessions"],
        &mut diags,
    ) else {
        return Err(diags);
    };
    let mut out = Vec::new();
    for (line, r) in &rows.records {
        let day = rows.date(r, *line, "day", &mut diags);
        let location = rows.id(r, *line, "location", &mut diags);
        let language = rows.id(r, *line, "language", &mut diags);
        let sessions = rows.number(r, *line, "sessions", 100_000, &mut diags);
        if let (Some(day), Some(location), Some(language), Some(sessions)) =
            (day, location, language, sessions)
        {
            out.push(InterpreterPool {
                day,
                location,
                language: language.to_ascii_lowercase(),
                sessions,
            });
        }
    }
    finish(out, diags)
}

/// Parse the absences file (an officer away for a day).
pub fn parse_absences(text: &str, file: &str) -> Result<Vec<(String, Date)>, Diagnostics> {
    let mut diags = Diagnostics::default();
    let Some(rows) = Rows::read(text, file, &["officer_id", "day"], &mut diags) else {
        return Err(diags);
    };
    let mut out = Vec::new();
    for (line, r) in &rows.records {
        let id = rows.id(r, *line, "officer_id", &mut diags);
        let day = rows.date(r, *line, "day", &mut diags);
        if let (Some(id), Some(day)) = (id, day) {
            out.push((id, day));
        }
    }
    finish(out, diags)
}

fn time_text(minute: u32) -> String {
    format!("{:02}:{:02}", minute / 60, minute % 60)
}

/// Write a schedule's appointments as CSV (the layout `parse_schedule` reads).
pub fn write_schedule(schedule: &Schedule) -> String {
    let mut out = String::from("person_id,officer_id,day,start,location,interpreter\n");
    for a in &schedule.appointments {
        out.push_str(&format!(
            "{},{},{},{},{},{}\n",
            a.person_id,
            a.officer_id,
            a.day,
            time_text(a.start_minute),
            a.location,
            if a.interpreter { "yes" } else { "no" }
        ));
    }
    out
}

/// Read a schedule written by `write_schedule` (the previous plan of a re-plan).
pub fn parse_schedule(text: &str, file: &str) -> Result<Schedule, Diagnostics> {
    let mut diags = Diagnostics::default();
    let Some(rows) = Rows::read(
        text,
        file,
        &["person_id", "officer_id", "day", "start", "location"],
        &mut diags,
    ) else {
        return Err(diags);
    };
    let mut appointments = Vec::new();
    for (line, r) in &rows.records {
        let person = rows.id(r, *line, "person_id", &mut diags);
        let officer = rows.id(r, *line, "officer_id", &mut diags);
        let day = rows.date(r, *line, "day", &mut diags);
        let start = rows.minute(r, *line, "start", &mut diags);
        let location = rows.id(r, *line, "location", &mut diags);
        let interpreter = r
            .get(
                rows.columns
                    .get("interpreter")
                    .copied()
                    .unwrap_or(usize::MAX),
            )
            .unwrap_or("no")
            == "yes";
        if let (Some(person_id), Some(officer_id), Some(day), Some(start_minute), Some(location)) =
            (person, officer, day, start, location)
        {
            appointments.push(Appointment {
                person_id,
                officer_id,
                day,
                start_minute,
                location,
                interpreter,
            });
        }
    }
    finish(
        Schedule {
            appointments,
            unscheduled: Vec::new(),
            utilisation: 0.0,
            mean_wait_days: 0.0,
            by_priority: Vec::new(),
            interpreter_interviews: 0,
            changed_from_previous: 0,
            cost: 0,
        },
        diags,
    )
}

/// The files of a scheduling input, as texts (for `hemi schedule synth`).
pub fn write_input(input: &crate::schedule::ScheduleInput) -> [(&'static str, String); 4] {
    let mut officers = String::from("officer_id,languages\n");
    for o in &input.officers {
        officers.push_str(&format!("{},{}\n", o.officer_id, o.languages.join(";")));
    }
    let mut shifts = String::from("officer_id,day,start,end,location\n");
    for s in &input.shifts {
        shifts.push_str(&format!(
            "{},{},{},{},{}\n",
            s.officer_id,
            s.day,
            time_text(s.start_minute),
            time_text(s.end_minute),
            s.location
        ));
    }
    let mut people = String::from("person_id,language,priority,earliest,location\n");
    for p in &input.people {
        people.push_str(&format!(
            "{},{},{},{},{}\n",
            p.person_id, p.language, p.priority, p.earliest, p.location
        ));
    }
    let mut interpreters = String::from("day,location,language,sessions\n");
    for i in &input.interpreters {
        interpreters.push_str(&format!(
            "{},{},{},{}\n",
            i.day, i.location, i.language, i.sessions
        ));
    }
    [
        ("officers.csv", officers),
        ("shifts.csv", shifts),
        ("people.csv", people),
        ("interpreters.csv", interpreters),
    ]
}
