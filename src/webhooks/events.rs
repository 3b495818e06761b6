//! The events Lectern sends (API.md section 16) and how one is recorded: inside the
//! transaction of the change that causes it, one outbox row for each endpoint that hears it,
//! all with the same event id (the `webhook-id`) and the same body, serialized once: that
//! text is what every delivery signs and sends.

use serde_json::{json, Value};

use crate::db::outbox::{self, Kind, NewMessage};
use crate::db::{self, WriteTx};
use crate::plans::Plan;

/// The event types an endpoint may hear, as its `events` name them.
pub const TYPES: [&str; 6] = [
    "user.created",
    "user.deleted",
    "lesson.completed",
    "quiz.passed",
    "certificate.issued",
    "plan.changed",
];

/// Something that happened, with what its `data` says. People are named by id only: `data`
/// never holds an email address, a password, a token or a hash.
#[derive(Clone, Copy, Debug)]
pub enum Event<'a> {
    UserCreated {
        user_id: &'a str,
    },
    UserDeleted {
        user_id: &'a str,
    },
    /// A learner's first completion of a lesson.
    LessonCompleted {
        user_id: &'a str,
        lesson: &'a str,
        course: &'a str,
    },
    QuizPassed {
        user_id: &'a str,
        lesson: &'a str,
        attempt_id: i64,
        percent: i64,
    },
    CertificateIssued {
        user_id: &'a str,
        certificate_id: &'a str,
        course: &'a str,
    },
    PlanChanged {
        user_id: &'a str,
        from: Plan,
        to: Plan,
    },
    /// An admin's test of one endpoint; no endpoint hears it otherwise.
    Ping,
}

impl Event<'_> {
    /// The event's `type`.
    pub fn kind(&self) -> &'static str {
        match self {
            Event::UserCreated { .. } => "user.created",
            Event::UserDeleted { .. } => "user.deleted",
            Event::LessonCompleted { .. } => "lesson.completed",
            Event::QuizPassed { .. } => "quiz.passed",
            Event::CertificateIssued { .. } => "certificate.issued",
            Event::PlanChanged { .. } => "plan.changed",
            Event::Ping => "ping",
        }
    }

    fn data(&self) -> Value {
        match *self {
            Event::UserCreated { user_id } | Event::UserDeleted { user_id } => {
                json!({ "user_id": user_id })
            }
            Event::LessonCompleted {
                user_id,
                lesson,
                course,
            } => json!({ "user_id": user_id, "lesson": lesson, "course": course }),
            Event::QuizPassed {
                user_id,
                lesson,
                attempt_id,
                percent,
            } => json!({
                "user_id": user_id,
                "lesson": lesson,
                "attempt_id": attempt_id,
                "percent": percent,
            }),
            Event::CertificateIssued {
                user_id,
                certificate_id,
                course,
            } => json!({ "user_id": user_id, "certificate_id": certificate_id, "course": course }),
            Event::PlanChanged { user_id, from, to } => {
                json!({ "user_id": user_id, "from": from.id(), "to": to.id() })
            }
            Event::Ping => json!({}),
        }
    }

    /// A new id for this event and its body, `{id, type, created_at, data}`.
    fn body(&self) -> (String, String) {
        let id = format!("evt_{}", uuid::Uuid::new_v4().simple());
        let body = json!({
            "id": id,
            "type": self.kind(),
            "created_at": db::now(),
            "data": self.data(),
        });
        (id, body.to_string())
    }
}

/// Record `event` for every endpoint that hears it, in the transaction of the change that
/// causes it: a rollback takes the event with it, a commit makes its delivery certain. When
/// no endpoint hears it, nothing is written.
pub async fn record(tx: &mut WriteTx, event: &Event<'_>) -> Result<(), sqlx::Error> {
    let hearing = db::webhooks::hearing(tx, event.kind()).await?;
    if hearing.is_empty() {
        return Ok(());
    }
    let (id, body) = event.body();
    for endpoint in &hearing {
        queue(tx, &endpoint.id, event.kind(), &id, &body).await?;
    }
    Ok(())
}

/// Queue `event` for one endpoint alone, whatever it hears (a ping); the event's id.
pub async fn send_to(
    tx: &mut WriteTx,
    endpoint_id: &str,
    event: &Event<'_>,
) -> Result<String, sqlx::Error> {
    let (id, body) = event.body();
    queue(tx, endpoint_id, event.kind(), &id, &body).await?;
    Ok(id)
}

async fn queue(
    tx: &mut WriteTx,
    endpoint_id: &str,
    kind: &str,
    id: &str,
    body: &str,
) -> Result<(), sqlx::Error> {
    outbox::insert(
        tx,
        &NewMessage {
            kind: Kind::Webhook,
            message_id: id,
            recipient: None,
            endpoint_id: Some(endpoint_id),
            event_type: kind,
            payload: body,
        },
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_event_a_body_of_its_own_type_and_data() {
        let (id, body) = Event::PlanChanged {
            user_id: "u1",
            from: Plan::Free,
            to: Plan::Pro,
        }
        .body();
        assert!(id.starts_with("evt_") && id.len() == 36, "{id}");
        let body: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(body["id"], id.as_str());
        assert_eq!(body["type"], "plan.changed");
        assert_eq!(
            body["data"],
            json!({"user_id": "u1", "from": "free", "to": "pro"})
        );
        assert!(body["created_at"].as_str().unwrap().ends_with('Z'));
        assert_ne!(id, Event::Ping.body().0, "each event its own id");
    }

    #[test]
    fn the_types_endpoints_hear_are_the_events_but_ping() {
        let events = [
            Event::UserCreated { user_id: "u" },
            Event::UserDeleted { user_id: "u" },
            Event::LessonCompleted {
                user_id: "u",
                lesson: "l",
                course: "c",
            },
            Event::QuizPassed {
                user_id: "u",
                lesson: "l",
                attempt_id: 1,
                percent: 100,
            },
            Event::CertificateIssued {
                user_id: "u",
                certificate_id: "c",
                course: "c",
            },
            Event::PlanChanged {
                user_id: "u",
                from: Plan::Free,
                to: Plan::Plus,
            },
        ];
        assert_eq!(events.map(|e| e.kind()), TYPES);
        assert!(!TYPES.contains(&Event::Ping.kind()));
    }
}
