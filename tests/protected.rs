//! What is not noise stays: code, Markdown structure, link targets, names in
//! code, and text that only looks garbled. Each case goes through the whole
//! default pipeline as a document of its format.

use docclean::doc::DocKind;
use docclean::rules::{build, load_sources, RuleSet, Selection};
use docclean::Pipeline;

fn set() -> &'static RuleSet {
    static SET: std::sync::OnceLock<RuleSet> = std::sync::OnceLock::new();
    SET.get_or_init(|| build(&load_sources(&[], true).unwrap(), &Selection::default()).unwrap())
}

fn clean(text: &str, kind: DocKind) -> String {
    Pipeline::new(set())
        .for_kind(kind)
        .clean(text)
        .0
        .into_owned()
}

#[track_caller]
fn stays(text: &str, kind: DocKind) {
    assert_eq!(clean(text, kind), text, "{kind:?} document changed");
}

#[test]
fn names_in_code_are_not_censored_words() {
    // a tutorial whose example account object is called AAA, in a censored-looking page
    let code = "```js\n// 新建AAA公众号\nlet AAA = new Account('AAA')\nAAA.subscribe(reader)\nAAA.publish(post)\n```\n";
    let md = format!("关注AAA公众号获取更新。\n\n{code}");
    let out = clean(&md, DocKind::Markdown);
    assert!(out.starts_with("关注微信公众号"), "{out}");
    assert!(out.ends_with(code), "code block changed: {out}");
    // the same lines as plain text: the comment is prose, the names stay
    let plain =
        "// 新建AAA公众号\nlet AAA = new Account('AAA')\nAAA.subscribe(reader)\nconst a = AAA;\n";
    assert_eq!(
        clean(plain, DocKind::Plain),
        plain.replacen("新建AAA", "新建微信", 1)
    );
}

#[test]
fn a_word_that_reads_without_the_letter_stays() {
    let doc = "会议强调，要深入学习D的二十大精神。\n活动当天，D员工到场签到。\n";
    assert_eq!(
        clean(doc, DocKind::Plain),
        "会议强调，要深入学习党的二十大精神。\n活动当天，D员工到场签到。\n"
    );
}

#[test]
fn link_targets_and_anchors_keep_their_escapes() {
    stays(
        "下一节：[服务治理](03-%E6%9C%8D%E5%8A%A1%E6%B2%BB%E7%90%86%20API.md)\n",
        DocKind::Markdown,
    );
    stays(
        "见 [配置](#%E9%85%8D%E7%BD%AE) 与 [指南](guide/%E5%85%A5%E9%97%A8.md)\n",
        DocKind::Plain,
    );
    // in scraped text outside links the escape is still noise
    assert_eq!(
        clean("打造美丽庭院%2B产业\n", DocKind::Plain),
        "打造美丽庭院+产业\n"
    );
}

#[test]
fn entities_in_code_and_markdown_are_what_the_author_wrote() {
    stays(
        "不换行空格这样写：\n\n```html\n<span>价格&nbsp;100</span>\n```\n",
        DocKind::Markdown,
    );
    stays(
        "小于号在正文中要写作 `&lt;`，结束符记为“&lt;eos&gt;”。\n",
        DocKind::Markdown,
    );
    stays("转义示例：`&amp;` 与 `%20`\n", DocKind::Plain);
    // in scraped text an entity is noise
    assert_eq!(
        clean("确保&ldquo;双达标&rdquo;\n", DocKind::Plain),
        "确保“双达标”\n"
    );
}

#[test]
fn format_strings_are_not_escapes() {
    stays(
        "awk '{ printf \"%-12s %4d %10s\\n\", $1, $2, $3 }'\n",
        DocKind::Plain,
    );
    stays("设置 MaxTRES%30 即可\n", DocKind::Plain);
}

#[test]
fn markdown_hard_breaks_stay() {
    let md = "床前明月光，  \n疑是地上霜。  \n举头望明月， \n";
    assert_eq!(
        clean(md, DocKind::Markdown),
        "床前明月光，  \n疑是地上霜。  \n举头望明月，\n"
    );
    // plain text has no hard breaks
    assert_eq!(clean("一行  \n", DocKind::Plain), "一行\n");
}

#[test]
fn real_text_that_looks_garbled_stays() {
    for text in [
        "蔺相如奉璧，秦出城而璧歸趙。\n",
        "宋遼兩國維持澶淵之盟百餘年。\n",
        "白樺林邊的沙丘，сурков\u{a0}— так говорили.\n",
    ] {
        stays(text, DocKind::Plain);
    }
}
