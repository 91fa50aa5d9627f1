//! The Task Force's stakeholder council and its parity rule.
//!
//! Seed 001: "To ensure parity in international representation on the council, half of
//! the slots would remain reserved for non-U.S. experts". Read as: after every
//! appointment and every removal, at least half of the seats held are held by non-US
//! experts. An empty council satisfies it, so the first appointment must be a non-US
//! expert, and the last non-US expert cannot leave while a US expert stays.

use serde::Serialize;

use crate::{GovernanceError, Result};

/// One held seat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CouncilSeat {
    /// Seat name or number.
    pub seat: String,
    /// The expert.
    pub holder: String,
    /// True for a US expert.
    pub us_expert: bool,
    /// Organisation that appointed them (OAS, IDB, UNHCR Americas, a Task Force agency ...).
    pub appointed_by: String,
}

/// Refuse a council whose held seats are less than half non-US.
pub fn check_parity(seats: &[CouncilSeat]) -> Result<()> {
    let held = seats.len();
    let non_us = seats.iter().filter(|s| !s.us_expert).count();
    if non_us * 2 < held {
        return Err(GovernanceError::Parity { held, non_us });
    }
    Ok(())
}

/// The council after appointing `seat`, checked.
pub fn appoint(seats: &[CouncilSeat], seat: CouncilSeat) -> Result<Vec<CouncilSeat>> {
    if seat.holder.trim().is_empty() || seat.appointed_by.trim().is_empty() {
        return Err(GovernanceError::Seat(
            "an appointment needs the expert and the appointing organisation".into(),
        ));
    }
    if let Some(taken) = seats.iter().find(|s| s.seat == seat.seat) {
        return Err(GovernanceError::Seat(format!(
            "seat {} is held by {}",
            seat.seat, taken.holder
        )));
    }
    let mut next = seats.to_vec();
    next.push(seat);
    check_parity(&next)?;
    Ok(next)
}

/// The council after emptying `seat`, checked.
pub fn remove(seats: &[CouncilSeat], seat: &str) -> Result<Vec<CouncilSeat>> {
    if !seats.iter().any(|s| s.seat == seat) {
        return Err(GovernanceError::Seat(format!("seat {seat} is not held")));
    }
    let next: Vec<CouncilSeat> = seats.iter().filter(|s| s.seat != seat).cloned().collect();
    check_parity(&next)?;
    Ok(next)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seat(n: &str, us: bool) -> CouncilSeat {
        CouncilSeat {
            seat: n.into(),
            holder: format!("expert {n}"),
            us_expert: us,
            appointed_by: if us { "PRM" } else { "OAS" }.into(),
        }
    }

    #[test]
    fn parity_on_appointment_and_removal() {
        assert!(check_parity(&[]).is_ok());
        let e = appoint(&[], seat("1", true)).unwrap_err();
        assert_eq!(
            e.to_string(),
            "council parity broken: 0 of 1 held seats would be non-US experts; at least half must be"
        );
        let c = appoint(&[], seat("1", false)).unwrap();
        let c = appoint(&c, seat("2", true)).unwrap();
        assert!(appoint(&c, seat("3", true)).is_err());
        assert!(appoint(&c, seat("2", false)).is_err(), "seat taken");
        assert_eq!(
            remove(&c, "1").unwrap_err(),
            GovernanceError::Parity { held: 1, non_us: 0 }
        );
        assert_eq!(remove(&c, "2").unwrap().len(), 1);
        assert!(remove(&c, "9").is_err());
    }
}
