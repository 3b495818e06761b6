//! Parsing what people type into accounts: names and passwords (emails are
//! `names::Email`).

use zxcvbn::matching::patterns::MatchPattern;

/// How many of the most common passwords are refused.
const COMMON_PASSWORD_RANK: usize = 10_000;

/// A display name: 1 to 100 characters once trimmed.
pub fn name(input: &str) -> Result<String, &'static str> {
    let name = input.trim();
    let length = name.chars().count();
    if length == 0 {
        Err("Enter your name.")
    } else if length > 100 || name.chars().any(char::is_control) {
        Err("A name is at most 100 characters, without control characters.")
    } else {
        Ok(name.to_owned())
    }
}

/// A new password: 8 to 128 characters (any Unicode, never truncated), not a common one.
pub fn new_password(password: &str) -> Result<(), &'static str> {
    let length = password.chars().count();
    if length < 8 {
        return Err("Use at least 8 characters.");
    }
    if length > 128 {
        return Err("Use at most 128 characters.");
    }
    if is_common(password) {
        return Err("That password is one of the most common ones; choose another.");
    }
    Ok(())
}

/// Whether the whole password is one of the most common passwords (any letter case),
/// by the ranked list that ships with the zxcvbn crate.
fn is_common(password: &str) -> bool {
    let entropy = zxcvbn::zxcvbn(password, &[]);
    match entropy.sequence() {
        [only] if only.i == 0 && only.j + 1 == password.chars().count() => match &only.pattern {
            // `Default` is the "passwords" list, the only one ranked by real-world use.
            MatchPattern::Dictionary(pattern) => {
                pattern.dictionary_name == Default::default()
                    && pattern.rank <= COMMON_PASSWORD_RANK
                    && !pattern.reversed
                    && !pattern.l33t
            }
            _ => false,
        },
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_one_to_a_hundred_characters() {
        assert_eq!(name("  Ada Lovelace "), Ok("Ada Lovelace".to_owned()));
        assert!(name("   ").is_err());
        assert!(name(&"é".repeat(100)).is_ok());
        assert!(name(&"é".repeat(101)).is_err());
    }

    #[test]
    fn passwords_have_bounds_and_common_ones_are_refused() {
        assert!(new_password("short").is_err());
        assert!(new_password(&"x".repeat(129)).is_err());
        assert!(
            new_password(&"🔑".repeat(8)).is_ok(),
            "eight characters, however many bytes"
        );
        assert!(new_password(&"🔑".repeat(128)).is_ok());
        for common in [
            "password", "12345678", "iloveyou", "sunshine", "Password", "baseball",
        ] {
            assert!(new_password(common).is_err(), "{common} is common");
        }
        for fine in [
            "correct horse battery staple",
            "Tr0ub4dor&3xyz",
            "lectern-reader-2026",
        ] {
            assert!(new_password(fine).is_ok(), "{fine} is acceptable");
        }
    }
}
