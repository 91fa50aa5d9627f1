//! Tables as the user asked for them: aligned text, CSV or JSON.

use std::io::Write;

use serde_json::{Map, Value};

use crate::cli::Format;

/// A cell keeps its type so JSON gets numbers and text alignment can right-align them.
#[derive(Debug, Clone)]
pub enum Cell {
    Text(String),
    Int(i64),
    Float(f64),
    Empty,
}

impl Cell {
    pub fn opt(text: Option<String>) -> Cell {
        text.map(Cell::Text).unwrap_or(Cell::Empty)
    }

    /// A value of a series: whole counts print without decimals.
    pub fn value(value: f64, kind: &str) -> Cell {
        if kind == "count" && value.fract() == 0.0 && value.abs() < 9.0e15 {
            Cell::Int(value as i64)
        } else {
            Cell::Float(value)
        }
    }

    fn text(&self) -> String {
        match self {
            Cell::Text(t) => t.clone(),
            Cell::Int(i) => i.to_string(),
            Cell::Float(f) => format!("{f}"),
            Cell::Empty => String::new(),
        }
    }

    fn json(&self) -> Value {
        match self {
            Cell::Text(t) => Value::String(t.clone()),
            Cell::Int(i) => Value::from(*i),
            Cell::Float(f) => serde_json::Number::from_f64(*f)
                .map(Value::Number)
                .unwrap_or(Value::Null),
            Cell::Empty => Value::Null,
        }
    }

    fn is_number(&self) -> bool {
        matches!(self, Cell::Int(_) | Cell::Float(_))
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Cell {
        Cell::Text(s.to_owned())
    }
}
impl From<String> for Cell {
    fn from(s: String) -> Cell {
        Cell::Text(s)
    }
}
impl From<i64> for Cell {
    fn from(i: i64) -> Cell {
        Cell::Int(i)
    }
}
impl From<u64> for Cell {
    fn from(i: u64) -> Cell {
        Cell::Int(i as i64)
    }
}

/// A table with named columns.
#[derive(Debug, Clone)]
pub struct Table {
    pub headers: Vec<&'static str>,
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    pub fn new(headers: &[&'static str]) -> Table {
        Table {
            headers: headers.to_vec(),
            rows: Vec::new(),
        }
    }

    pub fn push(&mut self, row: Vec<Cell>) {
        debug_assert_eq!(row.len(), self.headers.len());
        self.rows.push(row);
    }

    pub fn print(&self, format: Format, out: &mut impl Write) -> std::io::Result<()> {
        match format {
            Format::Table => self.print_aligned(out),
            Format::Csv => {
                let mut writer = csv::Writer::from_writer(out);
                writer.write_record(&self.headers)?;
                for row in &self.rows {
                    writer.write_record(row.iter().map(Cell::text))?;
                }
                writer.flush()
            }
            Format::Json => {
                let array: Vec<Value> = self
                    .rows
                    .iter()
                    .map(|row| {
                        let object: Map<String, Value> = self
                            .headers
                            .iter()
                            .zip(row)
                            .map(|(h, c)| (h.to_string(), c.json()))
                            .collect();
                        Value::Object(object)
                    })
                    .collect();
                serde_json::to_writer_pretty(&mut *out, &array)?;
                writeln!(out)
            }
        }
    }

    fn print_aligned(&self, out: &mut impl Write) -> std::io::Result<()> {
        let texts: Vec<Vec<String>> = self
            .rows
            .iter()
            .map(|r| r.iter().map(Cell::text).collect())
            .collect();
        let widths: Vec<usize> = (0..self.headers.len())
            .map(|i| {
                texts
                    .iter()
                    .map(|r| r[i].chars().count())
                    .chain([self.headers[i].len()])
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let numeric: Vec<bool> = (0..self.headers.len())
            .map(|i| {
                !self.rows.is_empty()
                    && self
                        .rows
                        .iter()
                        .all(|r| r[i].is_number() || matches!(r[i], Cell::Empty))
            })
            .collect();
        let line = |cells: Vec<String>| -> String {
            let parts: Vec<String> = cells
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    let pad = widths[i] - c.chars().count();
                    if numeric[i] {
                        format!("{}{c}", " ".repeat(pad))
                    } else {
                        format!("{c}{}", " ".repeat(pad))
                    }
                })
                .collect();
            parts.join("  ").trim_end().to_owned()
        };
        writeln!(
            out,
            "{}",
            line(self.headers.iter().map(|h| h.to_string()).collect())
        )?;
        for row in texts {
            writeln!(out, "{}", line(row))?;
        }
        if self.rows.is_empty() {
            writeln!(out, "(no rows)")?;
        }
        Ok(())
    }
}

/// Print to stdout, ignoring a closed pipe (`hemi ... | head` is normal use).
pub fn print_table(table: &Table, format: Format) -> anyhow::Result<()> {
    let stdout = std::io::stdout();
    let mut lock = stdout.lock();
    match table.print(format, &mut lock) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

/// Write text to stdout, ignoring a closed pipe.
pub fn write_stdout(text: &str) -> anyhow::Result<()> {
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aligned_right_aligns_numbers() {
        let mut t = Table::new(&["country", "value"]);
        t.push(vec!["PAN".into(), Cell::Int(5)]);
        t.push(vec!["USA".into(), Cell::Int(12345)]);
        let mut out = Vec::new();
        t.print(Format::Table, &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "country  value\nPAN          5\nUSA      12345\n"
        );
    }

    #[test]
    fn json_keeps_numbers_and_nulls() {
        let mut t = Table::new(&["a", "b"]);
        t.push(vec![Cell::Empty, Cell::Float(1.5)]);
        let mut out = Vec::new();
        t.print(Format::Json, &mut out).unwrap();
        let v: Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v, serde_json::json!([{"a": null, "b": 1.5}]));
    }
}
