//! Tests of the decoding stage: BOMs, UTF-16 without BOM, binary files, and
//! the choice among legacy encodings in every script.

use super::*;
use encoding_rs::{BIG5, GBK};

#[test]
fn boms_and_utf8() {
    let d = decode("\u{FEFF}党员".as_bytes(), None).unwrap();
    assert_eq!(
        (d.text.as_str(), d.encoding, d.bom),
        ("党员", "UTF-8", true)
    );
    let mut le = vec![0xFF, 0xFE];
    for u in "党员\r\n".encode_utf16() {
        le.extend_from_slice(&u.to_le_bytes());
    }
    let d = decode(&le, None).unwrap();
    assert_eq!((d.text.as_str(), d.encoding), ("党员\r\n", "UTF-16LE"));
}

#[test]
fn gbk_and_big5_are_told_apart() {
    let text = "深入学习贯彻党的二十大精神，全面从严治党，推动高质量发展。";
    let (gbk, _, _) = GBK.encode(text);
    let d = decode(&gbk, None).unwrap();
    assert_eq!(d.text, text);
    assert_eq!(d.encoding, "GBK");
    let trad = "深入學習貫徹黨的二十大精神，全面從嚴治黨，推動高質量發展。";
    let (big5, _, _) = BIG5.encode(trad);
    let d = decode(&big5, None).unwrap();
    assert_eq!(d.text, trad);
    assert_eq!(d.encoding, "Big5");
}

#[test]
fn utf16_without_bom_and_binary() {
    let mut le = vec![];
    for u in "hello 党员 world\n".encode_utf16() {
        le.extend_from_slice(&u.to_le_bytes());
    }
    assert_eq!(decode(&le, None).unwrap().encoding, "UTF-16LE");
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\x01\0";
    assert_eq!(decode(png, None).unwrap_err(), NotText::Binary);
    assert_eq!(decode(b"", None).unwrap_err(), NotText::Empty);
    // one NUL in an even-length ASCII line is no evidence of UTF-16
    assert_eq!(
        decode(b"hello\0world\n", None).unwrap_err(),
        NotText::Binary
    );
}

#[test]
fn forced_encoding_counts_bad_bytes() {
    let d = decode(b"ab\xffcd", Some(UTF_8)).unwrap();
    assert_eq!(d.bad_bytes, 1);
    assert_eq!(d.text, "ab\u{FFFD}cd");
}

/// Encode `text` in `enc` (every character must be encodable) and decode it
/// back through detection.
fn round_trip(text: &str, enc: &'static Encoding) -> Decoded {
    let (bytes, _, unmappable) = enc.encode(text);
    assert!(!unmappable, "{text} is not all in {}", enc.name());
    decode(&bytes, None).unwrap()
}

#[test]
fn every_script_decodes_in_its_own_encoding() {
    let cases: &[(&str, &str)] = &[
        ("EUC-KR", "오늘 회의에서는 내년 예산안과 새로운 교육 과정에 대해 논의했습니다. 참석자들은 대부분 찬성했습니다."),
        ("EUC-JP", "今日の会議では、来年の予算と新しい教育課程について話し合いました。ほとんどの参加者が賛成しました。"),
        ("Shift_JIS", "今日の会議では、来年の予算と新しい教育課程について話し合いました。ほとんどの参加者が賛成しました。"),
        ("windows-1251", "Сегодня на совещании обсуждали бюджет на следующий год и новую учебную программу. Большинство участников согласились."),
        ("KOI8-R", "Сегодня на совещании обсуждали бюджет на следующий год и новую учебную программу. Большинство участников согласились."),
        ("ISO-8859-2", "Dzisiaj na zebraniu omówiono przyszłoroczny budżet i nowy program nauczania. Większość uczestników się zgodziła, choć żółć się lała."),
        ("windows-1252", "Aujourd’hui, la réunion a porté sur le budget de l’année prochaine et le nouveau programme. La plupart des participants étaient d’accord."),
        ("ISO-8859-7", "Σήμερα στη συνάντηση συζητήθηκε ο προϋπολογισμός του επόμενου έτους και το νέο πρόγραμμα σπουδών."),
        ("windows-1255", "היום בישיבה דנו בתקציב של השנה הבאה ובתוכנית הלימודים החדשה. רוב המשתתפים הסכימו."),
        ("windows-874", "วันนี้ในที่ประชุมได้หารือเกี่ยวกับงบประมาณปีหน้าและหลักสูตรการศึกษาใหม่ ผู้เข้าร่วมส่วนใหญ่เห็นด้วย"),
    ];
    for &(label, text) in cases {
        let enc = Encoding::for_label(label.as_bytes()).unwrap();
        let d = round_trip(text, enc);
        assert_eq!(d.text, text, "{label}");
        // neighbours that decode these bytes alike (KOI8-U for Russian KOI8-R,
        // windows-1253 for Greek ISO-8859-7) are as right: the text decides
        let chosen = Encoding::for_label(d.encoding.as_bytes()).unwrap();
        assert_eq!(
            chosen.decode_without_bom_handling(&enc.encode(text).0).0,
            text,
            "{label} read as {}",
            d.encoding
        );
        assert_eq!(d.evidence.method, Some(Method::Detected));
    }
}

#[test]
fn latin_text_is_never_read_as_cjk() {
    // Polish and Slovenian: a high byte followed by an ASCII letter is a valid
    // GBK or Big5 pair, so a Chinese decode loses nothing — and reads as nonsense
    let texts = [
        "Wszystkie źródła podają, że łąka za młynem należała do gminy; świadkowie są zgodni.",
        "Včeraj smo šli na izlet čez hrib, žal je začelo deževati že ob šestih zjutraj.",
    ];
    for text in texts {
        let d = round_trip(text, encoding_rs::ISO_8859_2);
        assert_eq!(d.text, text);
        assert!(!matches!(
            d.encoding,
            "GBK" | "gb18030" | "Big5" | "EUC-KR" | "EUC-JP" | "Shift_JIS"
        ));
    }
}

#[test]
fn iso_2022_jp_escapes_are_decoded_not_left_in_the_text() {
    let text = "来年の予算について話し合いました。\n";
    let (bytes, _, _) = encoding_rs::ISO_2022_JP.encode(text);
    assert!(bytes.is_ascii() && bytes.contains(&0x1B));
    for d in [
        decode(&bytes, None).unwrap(),
        decode_owned(bytes.to_vec(), None).unwrap(),
    ] {
        assert_eq!((d.text.as_str(), d.encoding), (text, "ISO-2022-JP"));
    }
    // an escape alone is no ISO-2022-JP: ANSI colours stay UTF-8
    let ansi = b"\x1b[31mred\x1b[0m plain\n".to_vec();
    assert_eq!(decode_owned(ansi, None).unwrap().encoding, "UTF-8");
}

#[test]
fn a_declared_charset_is_used_when_the_bytes_agree() {
    let body = "<?xml version=\"1.0\" encoding=\"maccyrillic\"?>\n<p>Привет, мир! Сегодня хорошая погода, и мы идём гулять в парк.</p>\n";
    let (bytes, _, _) = encoding_rs::X_MAC_CYRILLIC.encode(body);
    let d = decode(&bytes, None).unwrap();
    assert_eq!((d.text.as_str(), d.encoding), (body, "x-mac-cyrillic"));
    assert!(d.evidence.declared_used && !d.evidence.close);
    assert_eq!(d.evidence.declared, Some("x-mac-cyrillic"));
    // a declaration the bytes contradict (they are GBK Chinese) is not used
    let lie =
        "<meta charset=\"iso-8859-5\">\n深入学习贯彻党的二十大精神，全面从严治党，推动高质量发展。";
    let (bytes, _, _) = GBK.encode(lie);
    let d = decode(&bytes, None).unwrap();
    assert_eq!((d.text.as_str(), d.encoding), (lie, "GBK"));
    assert!(!d.evidence.declared_used);
    assert_eq!(d.evidence.declared, Some("ISO-8859-5"));
}

#[test]
fn declarations_are_found_in_xml_html_and_mime_heads() {
    use super::declared::declared_encoding;
    let name = |b: &[u8]| declared_encoding(b).map(|e| e.name());
    assert_eq!(
        name(b"<?xml version='1.0' encoding='koi8-r' ?><a/>"),
        Some("KOI8-R")
    );
    assert_eq!(name(b"<html><head><meta charset=euc-kr>"), Some("EUC-KR"));
    assert_eq!(
        name(b"<meta http-equiv=\"Content-Type\" content=\"text/html; charset=Shift_JIS\">"),
        Some("Shift_JIS")
    );
    assert_eq!(
        name(b"Subject: x\nContent-Type: text/plain; charset=\"ISO-8859-2\"\n\nbody"),
        Some("ISO-8859-2")
    );
    // look-alikes: no value, an unknown label, a UTF-8 declaration
    assert_eq!(name(b"the charset of this file is unknown"), None);
    assert_eq!(name(b"<meta charset=\"klingon\">"), None);
    assert_eq!(name(b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>"), None);
}

#[test]
fn a_close_choice_names_its_runner_up() {
    // two high bytes: windows-1252 (`£`) and windows-1250 (`Ł`) both read
    let d = decode(b"It cost \xa3 5 in all.\n", None).unwrap();
    assert_eq!(d.evidence.method, Some(Method::Detected));
    let (runner, _) = d.evidence.runner_up.expect("a runner-up");
    assert_ne!(runner, d.encoding);
    // one character at stake: the runner-up is named, the choice not warned about
    assert!(!d.evidence.close, "{:?}", d.evidence);
    // a long Chinese text is not close
    let text = "深入学习贯彻党的二十大精神，全面从严治党，推动高质量发展。".repeat(20);
    let d = round_trip(&text, GBK);
    assert_eq!(d.encoding, "GBK");
    assert!(!d.evidence.close, "{:?}", d.evidence);
    // its double-byte pattern is clear: the detector is not asked
    assert_eq!(d.evidence.method, Some(Method::BytePattern));
    assert_eq!(d.evidence.detector, None);
}
