//! Names that are parsed once, where they come in, and then carried as their type: user ids,
//! emails and slugs. Each reads as a `&str` where one is wanted (`Deref`), and serialises as
//! its text.

use std::fmt;
use std::ops::Deref;

use serde::Serialize;

macro_rules! text_name {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, utoipa::ToSchema)]
        #[serde(transparent)]
        #[schema(value_type = String)]
        pub struct $name(String);

        impl $name {
            /// A value the database holds: it was parsed when it was written.
            pub fn stored(text: String) -> $name {
                $name(text)
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl Deref for $name {
            type Target = str;

            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }

        impl From<$name> for String {
            fn from(name: $name) -> String {
                name.0
            }
        }
    };
}

text_name!(
    /// A user's id: a UUID, drawn when the account is made.
    UserId
);

text_name!(
    /// A trimmed, lower-cased, plausible email address.
    Email
);

text_name!(
    /// A lesson's or a course's slug: 1 to 80 characters of a-z, 0-9 and `-`.
    Slug
);

impl UserId {
    /// A new random id.
    pub fn new() -> UserId {
        UserId(uuid::Uuid::new_v4().to_string())
    }

    /// An id from a request: a UUID in its hyphenated lower-case form, else `None`.
    pub fn parse(input: &str) -> Option<UserId> {
        let id = uuid::Uuid::try_parse(input).ok()?.to_string();
        (id == input).then_some(UserId(id))
    }
}

impl Default for UserId {
    fn default() -> UserId {
        UserId::new()
    }
}

impl Email {
    /// Parse what a person typed: trimmed, lower-cased, and plausible, or why not.
    pub fn parse(input: &str) -> Result<Email, &'static str> {
        let email = input.trim().to_lowercase();
        let invalid = "Enter a valid email address.";
        if email.is_empty() || email.chars().count() > 254 {
            return Err(invalid);
        }
        let (local, domain) = email.rsplit_once('@').ok_or(invalid)?;
        let local_ok = !local.is_empty() && local.len() <= 64 && !local.contains('@');
        let domain_ok = domain.len() >= 3
            && domain.contains('.')
            && !domain.starts_with(['.', '-'])
            && !domain.ends_with(['.', '-'])
            && !domain.contains("..")
            && domain
                .chars()
                .all(|c| c.is_alphanumeric() || c == '.' || c == '-');
        let chars_ok = email
            .chars()
            .all(|c| !c.is_whitespace() && !c.is_control() && !"<>()[],;:\\\"".contains(c));
        if local_ok && domain_ok && chars_ok {
            Ok(Email(email))
        } else {
            Err(invalid)
        }
    }
}

impl Slug {
    /// Whether `text` is a valid slug.
    pub fn is_valid(text: &str) -> bool {
        (1..=80).contains(&text.len())
            && text
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    }

    pub fn parse(text: &str) -> Option<Slug> {
        Slug::is_valid(text).then(|| Slug(text.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_trimmed_lower_cased_and_checked() {
        assert_eq!(
            Email::parse("  Ada@Example.COM ").unwrap(),
            "ada@example.com"
        );
        for bad in [
            "",
            "no-at-sign",
            "@example.com",
            "a@b",
            "a b@example.com",
            "a@exa mple.com",
            "a@.com",
            "a@example..com",
            "ada@-example.org",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?}");
        }
        assert!(Email::parse(&format!("{}@example.com", "a".repeat(65))).is_err());
        assert!(Email::parse(&format!("{}@example.com", "a".repeat(10_000))).is_err());
    }

    #[test]
    fn user_ids_are_canonical_uuids() {
        let id = UserId::new();
        assert_eq!(UserId::parse(&id), Some(id.clone()));
        assert_eq!(UserId::parse(&id.to_uppercase()), None);
        assert_eq!(UserId::parse("1; DROP TABLE users"), None);
        assert_eq!(UserId::parse(""), None);
    }

    #[test]
    fn slugs_are_short_lower_case_words() {
        assert!(Slug::parse("what-is-a-transformer-2").is_some());
        for bad in [
            "",
            "Caps",
            "under_score",
            "../up",
            "space d",
            &"a".repeat(81),
        ] {
            assert!(Slug::parse(bad).is_none(), "{bad:?}");
        }
        assert_eq!(
            serde_json::to_string(&Slug::parse("a-b").unwrap()).unwrap(),
            "\"a-b\""
        );
    }
}
