//! The entitlement matrix: the one place that says what each plan may do.
//!
//! Every gate (pages, JSON routes, media files, the pricing page and `GET /api/v1/plans`)
//! asks this module; nothing else compares plans.

use serde::{Deserialize, Serialize};

/// A subscription plan. Ordered: `Free < Plus < Pro`.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Plan {
    Free,
    Plus,
    Pro,
}

impl Plan {
    pub const ALL: [Plan; 3] = [Plan::Free, Plan::Plus, Plan::Pro];

    pub fn id(self) -> &'static str {
        match self {
            Plan::Free => "free",
            Plan::Plus => "plus",
            Plan::Pro => "pro",
        }
    }

    pub fn parse(id: &str) -> Option<Plan> {
        Plan::ALL.into_iter().find(|plan| plan.id() == id)
    }

    pub fn name(self) -> &'static str {
        match self {
            Plan::Free => "Free",
            Plan::Plus => "Plus",
            Plan::Pro => "Pro",
        }
    }
}

/// Something a reader may or may not do, depending on their plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Capability {
    /// Read the whole of a lesson whose `access` is the given plan.
    ReadLesson(Plan),
    /// Save progress and take quizzes (needs an account on any plan).
    TrackProgress,
    /// Listen to the first seconds of a narration.
    AudioPreview,
    /// Stream the whole narration.
    StreamAudio,
    /// Download a lesson as PDF.
    DownloadPdf,
    /// "Recommended for you" built from the reader's own progress.
    PersonalRecommendations,
    /// Download the narration as an MP3 file.
    DownloadMp3,
    /// Claim certificates of completion.
    Certificates,
    /// Watch video lessons.
    Video,
}

/// Seconds of narration anyone may hear.
pub const AUDIO_PREVIEW_SECONDS: u32 = 30;

/// The lowest plan that grants a capability.
pub fn required_plan(capability: Capability) -> Plan {
    match capability {
        Capability::ReadLesson(access) => access,
        Capability::TrackProgress | Capability::AudioPreview => Plan::Free,
        Capability::StreamAudio | Capability::DownloadPdf | Capability::PersonalRecommendations => {
            Plan::Plus
        }
        Capability::DownloadMp3 | Capability::Certificates | Capability::Video => Plan::Pro,
    }
}

/// Whether a reader on `plan` may use `capability`.
pub fn allows(plan: Plan, capability: Capability) -> bool {
    plan >= required_plan(capability)
}

/// The features each plan lists on the pricing page and in `GET /api/v1/plans`, in order.
pub fn features(plan: Plan) -> Vec<&'static str> {
    FEATURES
        .iter()
        .filter(|(capability, _)| allows(plan, *capability))
        .map(|(_, text)| *text)
        .collect()
}

/// The lesson page's media features each plan adds over the one below it, in order: what
/// its "paid features" note lists.
pub fn media_added_by(plan: Plan) -> Vec<&'static str> {
    MEDIA_FEATURES
        .iter()
        .filter(|(capability, _)| required_plan(*capability) == plan)
        .map(|(_, text)| *text)
        .collect()
}

const MEDIA_FEATURES: [(Capability, &str); 4] = [
    (Capability::StreamAudio, "The full narration, with seeking"),
    (Capability::DownloadPdf, "A PDF of every lesson"),
    (Capability::DownloadMp3, "MP3 downloads to listen offline"),
    (Capability::Video, "Video lessons as they arrive"),
];

const FEATURES: [(Capability, &str); 10] = [
    (Capability::ReadLesson(Plan::Free), "Read every free lesson"),
    (
        Capability::TrackProgress,
        "Save your progress and take the knowledge-check quizzes",
    ),
    (
        Capability::AudioPreview,
        "Listen to a 30-second preview of each narration",
    ),
    (
        Capability::ReadLesson(Plan::Plus),
        "Read Plus lessons and playbooks in full",
    ),
    (
        Capability::StreamAudio,
        "Stream every lesson's full narration",
    ),
    (Capability::DownloadPdf, "Download lessons as PDF"),
    (
        Capability::PersonalRecommendations,
        "Personal recommendations from your progress",
    ),
    (
        Capability::ReadLesson(Plan::Pro),
        "Read Pro lessons in full",
    ),
    (Capability::DownloadMp3, "Download narrations as MP3"),
    (
        Capability::Certificates,
        "Certificates of completion, and video lessons as they arrive",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_paid_plan_adds_its_own_media() {
        assert!(media_added_by(Plan::Free).is_empty());
        assert_eq!(
            media_added_by(Plan::Plus),
            ["The full narration, with seeking", "A PDF of every lesson"]
        );
        assert_eq!(
            media_added_by(Plan::Pro),
            [
                "MP3 downloads to listen offline",
                "Video lessons as they arrive"
            ]
        );
    }

    #[test]
    fn plans_are_ordered_and_parse_back() {
        assert!(Plan::Free < Plan::Plus && Plan::Plus < Plan::Pro);
        for plan in Plan::ALL {
            assert_eq!(Plan::parse(plan.id()), Some(plan));
        }
        assert_eq!(Plan::parse("gold"), None);
    }

    #[test]
    fn matrix_matches_the_published_table() {
        use Capability::*;
        let table = [
            (ReadLesson(Plan::Free), [true, true, true]),
            (TrackProgress, [true, true, true]),
            (AudioPreview, [true, true, true]),
            (ReadLesson(Plan::Plus), [false, true, true]),
            (StreamAudio, [false, true, true]),
            (DownloadPdf, [false, true, true]),
            (PersonalRecommendations, [false, true, true]),
            (ReadLesson(Plan::Pro), [false, false, true]),
            (DownloadMp3, [false, false, true]),
            (Certificates, [false, false, true]),
            (Video, [false, false, true]),
        ];
        for (capability, expected) in table {
            for (plan, allowed) in Plan::ALL.into_iter().zip(expected) {
                assert_eq!(
                    allows(plan, capability),
                    allowed,
                    "{capability:?} on {plan:?}"
                );
            }
        }
    }

    #[test]
    fn higher_plans_list_every_feature_of_lower_ones() {
        let free = features(Plan::Free);
        let plus = features(Plan::Plus);
        let pro = features(Plan::Pro);
        assert!(free.len() < plus.len() && plus.len() < pro.len());
        assert!(free.iter().all(|f| plus.contains(f)));
        assert!(plus.iter().all(|f| pro.contains(f)));
    }
}
