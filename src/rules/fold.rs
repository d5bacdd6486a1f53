//! Script folding for matching only: traditional characters become simplified
//! (OpenCC's character table, through `fast2s`) and the pinyin glosses that some
//! machine-converted sites print after a character (`頁(yè)`) are dropped. The
//! folded line is matched; the document itself is never rewritten.

use regex::Regex;
use std::borrow::Cow;
use std::sync::OnceLock;

/// `line` folded to simplified script, glosses dropped; borrowed when nothing changed.
pub fn fold_line(line: &str) -> Cow<'_, str> {
    let ascii = line.is_ascii();
    if ascii {
        return Cow::Borrowed(line);
    }
    let converted = fast2s::convert(line);
    let glossless = strip_glosses(&converted);
    match glossless {
        Cow::Borrowed(_) if converted == line => Cow::Borrowed(line),
        Cow::Borrowed(_) => Cow::Owned(converted),
        Cow::Owned(s) => Cow::Owned(s),
    }
}

/// `页(yè)` → `页`: a parenthesised pinyin syllable right after a Han character.
fn strip_glosses(s: &str) -> Cow<'_, str> {
    static GLOSS: OnceLock<Regex> = OnceLock::new();
    if !s.contains('(') {
        return Cow::Borrowed(s);
    }
    let re = GLOSS.get_or_init(|| {
        Regex::new(r"(?P<han>\p{Han})\((?:[a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{1,6})\)").unwrap()
    });
    re.replace_all(s, "${han}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_script_and_glosses_only() {
        assert_eq!(
            fold_line("本文檔由會員上傳，僅供參考"),
            "本文档由会员上传，仅供参考"
        );
        assert_eq!(
            fold_line("已閱讀5頁(yè),還剩14頁(yè)未讀"),
            "已阅读5页,还剩14页未读"
        );
        assert_eq!(fold_line("繼續(xù)免費(fèi)閱讀"), "继续免费阅读");
        for same in [
            "plain ascii",
            "本文档由会员上传",
            "函数 f(x) 的值",
            "注(1)见下",
        ] {
            assert_eq!(fold_line(same), same);
        }
    }
}
