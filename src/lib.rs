//! docclean: clean scraped document dumps through a pipeline of rule stages —
//! decoding → mojibake repair → entities and escapes → invisible characters →
//! paywall markers → adverts → censored tokens → learned boilerplate → whitespace.
//! The library never prints; the binary does.

#![cfg_attr(not(test), deny(clippy::print_stdout, clippy::print_stderr))]

pub mod atomic;
pub mod charclass;
pub mod cli;
pub mod compress;
pub mod config;
pub mod decode;
pub mod discover;
pub mod doc;
pub mod findings;
pub mod inplace;
pub mod jsonl;
mod jsonstr;
pub mod learn;
pub mod lock;
pub mod pipeline;
pub mod progress;
pub mod report;
pub mod rules;
pub mod run;
pub mod shard;
pub mod spans;
pub mod trace;

pub use pipeline::Pipeline;
pub use rules::{RuleSet, Selection};

/// Clean one text with the default rule pack (a convenience for library users).
pub fn clean_text(text: &str) -> String {
    use std::sync::OnceLock;
    static SET: OnceLock<RuleSet> = OnceLock::new();
    let set = SET.get_or_init(|| {
        rules::build(
            &rules::load_sources(&[], true).expect("embedded rules"),
            &Selection::default(),
        )
        .expect("default rules compile")
    });
    Pipeline::new(set).clean(text).0.into_owned()
}
