//! The wrong decoders whose mojibake is repaired, and how each maps characters
//! back to the bytes it saw.

use crate::charclass::{gbk_mojibake_leads, BmpSet};
use encoding_rs::Encoding;
use std::sync::OnceLock;

/// A code page that text was wrongly decoded with.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Page {
    Gbk,
    Windows1252,
    Windows1250,
    Windows1251,
    Windows1253,
    Windows1257,
    Macintosh,
    /// DOS consoles (code page 437).
    Ibm437,
}

impl Page {
    /// Every page, in the order of [`codecs`] (bit `i` of a mask is `ALL[i]`).
    pub(super) const ALL: [Page; 8] = [
        Page::Gbk,
        Page::Windows1252,
        Page::Windows1250,
        Page::Windows1251,
        Page::Windows1253,
        Page::Windows1257,
        Page::Macintosh,
        Page::Ibm437,
    ];

    pub(super) fn name(self) -> &'static str {
        match self {
            Page::Gbk => "GBK",
            Page::Ibm437 => "IBM437",
            p => p.encoding().map_or("?", |e| e.name()),
        }
    }

    fn encoding(self) -> Option<&'static Encoding> {
        Some(match self {
            Page::Gbk => encoding_rs::GBK,
            Page::Windows1252 => encoding_rs::WINDOWS_1252,
            Page::Windows1250 => encoding_rs::WINDOWS_1250,
            Page::Windows1251 => encoding_rs::WINDOWS_1251,
            Page::Windows1253 => encoding_rs::WINDOWS_1253,
            Page::Windows1257 => encoding_rs::WINDOWS_1257,
            Page::Macintosh => encoding_rs::MACINTOSH,
            Page::Ibm437 => return None,
        })
    }

    /// The page an encoding label of a rule's `from` names (GB18030 repairs as
    /// GBK; IBM437 has no WHATWG label, so encoding_rs does not know it).
    pub(super) fn for_label(label: &str) -> Result<Page, String> {
        if ["ibm437", "cp437", "437"].contains(&label.to_ascii_lowercase().as_str()) {
            return Ok(Page::Ibm437);
        }
        let enc = Encoding::for_label(label.as_bytes())
            .ok_or_else(|| format!("unknown encoding `{label}` in `from`"))?;
        let enc = if enc == encoding_rs::GB18030 {
            encoding_rs::GBK
        } else {
            enc
        };
        Page::ALL
            .into_iter()
            .find(|p| p.encoding() == Some(enc))
            .ok_or_else(|| {
                let names: Vec<&str> = Page::ALL.iter().map(|p| p.name()).collect();
                format!(
                    "mojibake repair does not support `{label}`; supported: {}",
                    names.join(", ")
                )
            })
    }
}

/// How one wrong decoder maps characters back to bytes.
pub(super) struct Codec {
    pub page: Page,
    pub double_byte: bool,
    /// Per BMP code point: the bytes (0 = not encodable). Single-byte codecs use the low byte.
    pub table: Vec<u16>,
    /// Characters a UTF-8 lead byte turns into under this codec.
    pub leads: BmpSet,
    /// Characters a UTF-8 continuation byte turns into (single-byte codecs).
    pub conts: BmpSet,
}

impl Codec {
    /// Does a space continue a lead? In Windows-1252 text an NBSP
    /// continuation byte often became a space on its way.
    pub fn space_continues(&self) -> bool {
        self.page == Page::Windows1252
    }

    /// Could this codec's mojibake be on the line? Single-byte codecs need a
    /// lead character followed by a continuation character (curly quotes alone,
    /// MacRoman lead bytes, are everyday Chinese punctuation). The pipeline
    /// asks all codecs at once ([`applicable`]); this is the reference.
    #[cfg(test)]
    pub fn may_apply(&self, line: &str) -> bool {
        if self.double_byte {
            return line.chars().any(|c| self.leads.contains(c));
        }
        let mut prev: Option<char> = None;
        for c in line.chars() {
            if let Some(p) = prev {
                if self.leads.contains(p)
                    && (self.conts.contains(c)
                        || c == '\u{FFFD}'
                        || (c == ' ' && self.space_continues()))
                {
                    return true;
                }
            }
            prev = Some(c);
        }
        false
    }
}

fn build(page: Page) -> Codec {
    match (page, page.encoding()) {
        (Page::Gbk, _) => build_gbk(),
        (_, Some(enc)) => build_from(page, |b| {
            let one = [b];
            let (s, bad) = enc.decode_without_bom_handling(&one);
            if bad {
                None
            } else {
                s.chars().next()
            }
        }),
        // oem_cp's table of code page 437
        (_, None) => build_from(page, |b| {
            Some(oem_cp::code_table::DECODING_TABLE_CP437[(b - 0x80) as usize])
        }),
    }
}

/// A single-byte codec from its decoding of the high bytes.
fn build_from(page: Page, high: impl Fn(u8) -> Option<char>) -> Codec {
    let mut table = vec![0u16; 0x10000];
    let mut leads = BmpSet::empty();
    let mut conts = BmpSet::empty();
    for b in 0x80u16..=0xFF {
        if let Some(c) = high(b as u8) {
            if (c as u32) < 0x10000 && c != '\u{FFFD}' {
                table[c as usize] = b;
                if (0xC2..=0xF4).contains(&b) {
                    leads.insert(c);
                }
                if (0x80..=0xBF).contains(&b) {
                    conts.insert(c);
                }
            }
        }
    }
    // Sloppy decoders (browsers, Latin-1) turn undefined bytes into C1 controls.
    for b in 0x80u16..=0x9F {
        if table[b as usize] == 0 {
            table[b as usize] = b;
            conts.insert(char::from_u32(b as u32).expect("C1 control"));
        }
    }
    Codec {
        page,
        double_byte: false,
        table,
        leads,
        conts,
    }
}

fn build_gbk() -> Codec {
    let mut table = vec![0u16; 0x10000];
    for lead in 0x81u16..=0xFE {
        for trail in (0x40u16..=0x7E).chain(0x80..=0xFE) {
            let pair = [lead as u8, trail as u8];
            let (s, bad) = encoding_rs::GBK.decode_without_bom_handling(&pair);
            if bad {
                continue;
            }
            let mut it = s.chars();
            if let (Some(c), None) = (it.next(), it.next()) {
                if (c as u32) < 0x10000 && table[c as usize] == 0 {
                    table[c as usize] = (lead << 8) | trail;
                }
            }
        }
    }
    // Windows' code page 936 reads a lone 0x80 as the euro sign.
    table['€' as usize] = 0x80;
    let mut leads = BmpSet::empty();
    leads.union_with(gbk_mojibake_leads());
    Codec {
        page: Page::Gbk,
        double_byte: true,
        table,
        leads,
        conts: BmpSet::empty(),
    }
}

/// The codecs, in the order of [`Page::ALL`].
pub(super) fn codecs() -> &'static [Codec] {
    static C: OnceLock<Vec<Codec>> = OnceLock::new();
    C.get_or_init(|| Page::ALL.into_iter().map(build).collect())
}

/// Per BMP character, what it is to each codec of [`codecs`]: bit 0 a GBK
/// lead; bit `i` (1–7) a lead of single-byte codec `i`; bit `8 + i` a
/// continuation of it (U+FFFD, a lost byte, continues every one of them).
pub(super) fn codec_flags() -> &'static [u16] {
    static F: OnceLock<Vec<u16>> = OnceLock::new();
    F.get_or_init(|| {
        let cs = codecs();
        assert!(cs.len() <= 8 && cs[0].double_byte && cs[1..].iter().all(|c| !c.double_byte));
        let mut f = vec![0u16; 0x10000];
        for (u, flags) in f.iter_mut().enumerate() {
            let Some(c) = char::from_u32(u as u32) else {
                continue;
            };
            if cs[0].leads.contains(c) {
                *flags |= 1;
            }
            for (i, codec) in cs.iter().enumerate().skip(1) {
                if codec.leads.contains(c) {
                    *flags |= 1 << i;
                }
                if codec.conts.contains(c)
                    || c == '\u{FFFD}'
                    || (c == ' ' && codec.space_continues())
                {
                    *flags |= 1 << (8 + i);
                }
            }
        }
        f
    })
}

/// The codecs whose mojibake could be on the line (bit `i`: `codecs()[i]`),
/// in one pass: [`Codec::may_apply`] for all of them.
pub(super) fn applicable(line: &str) -> u16 {
    let flags = codec_flags();
    let (mut mask, mut prev_leads) = (0u16, 0u16);
    for c in line.chars() {
        let f = flags.get(c as usize).copied().unwrap_or(0);
        mask |= (f & 1) | (prev_leads & (f >> 8));
        prev_leads = f & 0xFE;
    }
    mask
}
