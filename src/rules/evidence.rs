//! What a rule can say about one of its edits, or about something it
//! deliberately left, for the trace (see [`super::RuleKind::evidence`]).
//! Only made while tracing.

use serde::{Deserialize, Serialize};

#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// Advert lines: the line's score, and the score a line must reach.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold: Option<i32>,
    /// Advert lines: the features that matched, each with its weight.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub features: Vec<String>,
    /// Mojibake: the wrong decoders undone, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub codecs: Vec<String>,
    /// Mojibake: how much more plausible the line reads repaired (the
    /// plausibility of its text, 1 is perfect, after minus before).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gain: Option<f64>,
    /// Placeholders: the document was judged censored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub judged: Option<bool>,
    /// Placeholders: the context phrases around the document's tokens that
    /// judged it, each with the list it is from (`strong` or `evidence`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub phrases: Vec<String>,
    /// Line rules (strip-line, marker, boilerplate): the text their pattern
    /// or list matched on the line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub matched: Option<String>,
    /// Line rules: where in the document a line may go (`head`, `tail`,
    /// `edges`, `anywhere`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zone: Option<String>,
    /// Boilerplate lines: the family the line belongs to (a site family's
    /// rule, or `learned` for a line `learn` found repeated).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family: Option<String>,
    /// Character edits (escapes, invisible characters, replacements,
    /// whitespace): each change on the line, `before → after`, what prints
    /// as nothing escaped (at most [`MAX_CHANGES`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<String>,
}

/// Changes listed per record; the line's `before` and `after` hold them all.
pub const MAX_CHANGES: usize = 8;

impl Evidence {
    pub fn is_empty(&self) -> bool {
        *self == Evidence::default()
    }

    /// This evidence, with the fields `other` has and this one lacks.
    pub fn or(mut self, other: Evidence) -> Evidence {
        macro_rules! fill {
            ($($f:ident),*) => {$(
                if is_default(&self.$f) {
                    self.$f = other.$f;
                }
            )*};
        }
        fill!(
            score, threshold, features, codecs, gain, judged, phrases, matched, zone, family,
            changes
        );
        self
    }
}

fn is_default<T: Default + PartialEq>(x: &T) -> bool {
    *x == T::default()
}

/// A float as the trace writes it: three decimals.
pub fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}
