//! `learn` and the learning pass of `clean --learn`: count candidate lines
//! over the inputs, then read the documents again for the learned lines.

use crate::*;

/// First pass: per-hash counts of candidate lines.
fn count_pass(
    set: &RuleSet,
    items: &[WorkItem],
    opts: &LearnOptions,
    run_opts: &RunOptions,
) -> learn::Counts {
    let _ = set;
    items
        .par_iter()
        .map(|item| {
            let mut c = learn::Counts::default();
            run::documents_of(item, run_opts, &mut |t| {
                learn::count_document(&mut c, t, opts)
            });
            c
        })
        .reduce(learn::Counts::default, learn::Counts::merge)
}

/// Second pass: the text of the lines that crossed the threshold.
fn text_pass(
    set: &RuleSet,
    items: &[WorkItem],
    counts: &learn::Counts,
    opts: &LearnOptions,
    run_opts: &RunOptions,
) -> Vec<LearnedLine> {
    let score = |l: &str| set.advert_score(l);
    let win = learn::winners(counts, opts);
    if win.is_empty() {
        return Vec::new();
    }
    let found = items
        .par_iter()
        .map(|item| {
            let mut f = std::collections::HashMap::new();
            let path = item.path.display().to_string();
            run::documents_of(item, run_opts, &mut |t| {
                learn::collect_text(&mut f, t, &path, &win, opts)
            });
            f
        })
        .reduce(
            std::collections::HashMap::new,
            |mut a: std::collections::HashMap<u64, learn::Sighting>, b| {
                for (k, v) in b {
                    a.entry(k).or_default().merge(v);
                }
                a
            },
        );
    learn::finish(&win, found, counts.documents, opts, &score)
}

pub(crate) fn learn_rules(
    set: &RuleSet,
    items: &[WorkItem],
    opts: &LearnOptions,
    run_opts: &RunOptions,
) -> (Vec<LearnedLine>, u64) {
    let counts = count_pass(set, items, opts, run_opts);
    (
        text_pass(set, items, &counts, opts, run_opts),
        counts.documents,
    )
}

pub(crate) fn learn_cmd(a: LearnArgs) -> anyhow::Result<Status> {
    let cfg = Config::resolve(&a.common)?;
    let set = pool_and_rules(&cfg)?;
    let (items, _, _) = work_items(&cfg, &a.inputs, WalkOptions::default())?;
    let opts = LearnOptions {
        min_documents: a.min_documents,
        zone_lines: a.zone_lines,
        min_score: a.min_score,
    };
    let run_opts = run_options(&cfg, Output::Check { diff: None });
    let passes = if a.save_counts.is_some() || !a.counts.is_empty() {
        1
    } else {
        2
    };
    let pb = progress(&cfg, &items, "learning boilerplate", passes, false);
    if let Some(path) = &a.save_counts {
        let counts = count_pass(&set, &items, &opts, &run_opts);
        pb.finish();
        let file = learn::CountsFile::new(&counts, &opts);
        docclean::atomic::write_user_file(path, serde_json::to_string(&file)?.as_bytes())
            .map_err(|e| anyhow::anyhow!(e))?;
        if !cfg.quiet {
            eprintln!(
                "counted {} candidate line(s) in {} documents → {}",
                file.counts.len(),
                file.documents,
                path.display()
            );
        }
        return Ok(Status::Done);
    }
    let counts = if a.counts.is_empty() {
        count_pass(&set, &items, &opts, &run_opts)
    } else {
        let mut files = Vec::new();
        for p in &a.counts {
            let text =
                std::fs::read_to_string(p).map_err(|e| anyhow::anyhow!("{}: {e}", p.display()))?;
            files.push(
                serde_json::from_str(&text)
                    .map_err(|e| anyhow::anyhow!("{}: not a counts file: {e}", p.display()))?,
            );
        }
        learn::CountsFile::merge(files, &opts).map_err(|e| anyhow::anyhow!(e))?
    };
    let lines = text_pass(&set, &items, &counts, &opts, &run_opts);
    pb.finish();
    let docs = counts.documents;
    let target = match &a.save_boilerplate {
        Some(out) if !a.dry_run => {
            docclean::atomic::write_user_file(out, learn::to_rule_file(&lines, docs).as_bytes())
                .map_err(|e| anyhow::anyhow!(e))?;
            format!(" → {}", out.display())
        }
        _ => " (dry run: nothing written)".to_owned(),
    };
    if !cfg.quiet || a.dry_run {
        eprint!(
            "learned {} line(s) from {docs} documents{target}\n{}",
            lines.len(),
            learn::summary(&lines)
        );
    }
    Ok(Status::Done)
}
