//! Throughput of the default pipeline, per stage and whole, on generated text
//! shaped like the seed dump: clean Chinese prose, and the same with every kind
//! of noise. `cargo bench` prints bytes per second.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use docclean::rules::{build, load_sources, DocContext, RuleHits, Selection};
use docclean::Pipeline;

/// Paragraphs of the bundled samples' clean reports: real prose, with its
/// quotes, numbers and punctuation.
fn paragraphs() -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/expected/reports");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("samples/expected/reports")
        .map(|e| e.expect("a directory entry").path())
        .collect();
    files.sort();
    let mut out = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).expect("a sample report");
        out.extend(
            text.lines()
                .filter(|l| l.chars().count() > 40)
                .map(str::to_owned),
        );
    }
    assert!(out.len() > 20, "too few sample paragraphs");
    out
}

const NOISE: &[&str] = &[
    "围绕学习宣传贯彻D的二十大精神，指导各D支部制定学习计划，为各D支部及D员干部发放理论著作。",
    "确保全年空气优良率和PM2.5平均浓度&ldquo;双达标&rdquo;，开展“D建%2B业务”培训课程共5次。",
    "每日上##paidbegin##门入户，零宽\u{200B}字符，通过ED显示屏滚动播放，3D打印，AAA级景区。  ",
    "闅忕潃缁忔祹绀句細鐨勫彂灞曪紝新情况新问题明显增多。",
    "【某某素材库】——每天更新材料1000多篇内部高质量素材，会员群+网盘群同步每日更新，有意加入请联系：1 4367，：9 649564",
];

fn corpus(paragraphs: &[String], start: usize, noisy: bool, bytes: usize) -> String {
    let mut s = String::new();
    let mut i = 0;
    while s.len() < bytes {
        s.push_str(&paragraphs[(start + i) % paragraphs.len()]);
        s.push('\n');
        if noisy && i % 2 == 0 {
            s.push_str(NOISE[(i / 2) % NOISE.len()]);
            s.push_str("\r\n");
        }
        i += 1;
    }
    s
}

fn bench(c: &mut Criterion) {
    let sources = load_sources(&[], true).unwrap();
    let set = build(&sources, &Selection::default()).unwrap();
    // the same pipeline without the mojibake stage, to show what it costs
    let without_mojibake = build(
        &sources,
        &Selection {
            select: Vec::new(),
            ignore: vec!["encoding.mojibake".to_owned()],
        },
    )
    .unwrap();
    // documents of about 8 KB, as in the dumps
    let paras = paragraphs();
    let clean: Vec<String> = (0..64)
        .map(|k| corpus(&paras, 7 * k, false, 8 << 10))
        .collect();
    let noisy: Vec<String> = (0..64)
        .map(|k| corpus(&paras, 7 * k, true, 8 << 10))
        .collect();
    for (name, docs) in [("clean", &clean), ("noisy", &noisy)] {
        let total: usize = docs.iter().map(|d| d.len()).sum();
        let mut g = c.benchmark_group(format!("pipeline/{name}"));
        g.throughput(Throughput::Bytes(total as u64));
        for (label, rules) in [
            ("all-stages", &set),
            ("all-stages-but-mojibake", &without_mojibake),
        ] {
            let pipeline = Pipeline::new(rules);
            g.bench_function(label, |b| {
                b.iter(|| {
                    for d in docs.iter() {
                        std::hint::black_box(pipeline.clean(d));
                    }
                })
            });
        }
        for rule in &set.rules {
            g.bench_function(rule.id.as_str(), |b| {
                b.iter(|| {
                    for d in docs.iter() {
                        let mut h = RuleHits::default();
                        let mut doc = DocContext::default();
                        std::hint::black_box(rule.run(d, &mut doc, &mut h));
                    }
                })
            });
        }
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
