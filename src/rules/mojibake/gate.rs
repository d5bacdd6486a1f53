//! The gate: where in a text mojibake could start. A fast scan skips to the
//! characters that can start a match ([`SuspectScan::next`]); an exact
//! per-character check runs from each of them until it is back at rest.
//! Clean Chinese text has few such characters.

use super::super::suspects::SuspectScan;
use super::codec::{codec_flags, codecs};
use crate::charclass::{BmpSet, CJK_UNIFIED};

const GATE_SINGLE: u32 = 1 << 16;

pub(super) struct Gate {
    /// The exact check ([`Self::step`]), per BMP character: bit 16 = GBK lead
    /// or C1 control; bit `i` = lead character of single-byte codec
    /// `codecs()[i]`, bit `8 + i` = its continuation character (enabled
    /// codecs only; [`codec_flags`]).
    flags: Box<[u32]>,
    /// For Han characters: which can open a GBK run (their GBK bytes are a
    /// UTF-8 lead and continuation).
    han: BmpSet,
    /// The fast scan to the characters the exact check can start from:
    /// `han`, and the others with a lead or GBK/C1 flag in `flags`.
    pub(super) suspects: SuspectScan,
    /// GBK codes by character (empty when GBK repair is off).
    gbk_table: &'static [u16],
}

/// The exact check's state between characters: the lead bits of the previous
/// character (one per single-byte codec), and how far a GBK run has got.
#[derive(Default, Clone, Copy, PartialEq)]
pub(super) struct GateState {
    prev_leads: u32,
    gbk: GbkRun,
}

/// A GBK run, by the UTF-8 bytes its characters' GBK codes give back.
#[derive(Default, Clone, Copy, PartialEq)]
enum GbkRun {
    #[default]
    None,
    /// a lead and a continuation byte (鍏 = E5 85)
    Lead,
    /// then a continuation and the next lead byte (氬 = 9A E5), which needs
    /// continuation bytes next: two (a three-byte lead) or at least one
    NeedsTwo,
    NeedsOne,
}

impl Gate {
    /// The gate for the enabled codecs (indices into [`codecs`]).
    pub(super) fn new(enabled: &[usize]) -> Gate {
        let cs = codecs();
        // The enabled codecs' bits of `codec_flags`: single-byte leads and
        // continuations as they are, a GBK lead (or a C1 control) as GATE_SINGLE.
        let single = enabled
            .iter()
            .filter(|&&i| !cs[i].double_byte)
            .fold(0u16, |m, &i| m | 1 << i);
        let gbk = enabled.iter().any(|&i| cs[i].double_byte);
        let flags: Box<[u32]> = codec_flags()
            .iter()
            .enumerate()
            .map(|(u, &f)| {
                if u < 0x80 {
                    return 0; // ASCII is taken before the flags are read
                }
                let mut g = u32::from(f & (single | single << 8));
                if (gbk && f & 1 != 0) || (0x80..=0x9F).contains(&u) {
                    g |= GATE_SINGLE;
                }
                g
            })
            .collect();
        let gbk_table: &'static [u16] = enabled
            .iter()
            .map(|&i| &cs[i])
            .find(|c| c.double_byte)
            .map_or(&[], |c| c.table.as_slice());
        let han = han_run_openers(gbk_table);
        let suspects = suspect_scan(&flags, &han);
        Gate {
            flags,
            han,
            suspects,
            gbk_table,
        }
    }

    /// Where in `s`, from character boundary `i` on, mojibake could start.
    /// The check never crosses a line end (ASCII resets it).
    pub(super) fn first_match(&self, s: &str, mut i: usize) -> Option<usize> {
        while let Some(p) = self.suspects.next(s.as_bytes(), i) {
            match self.check_from(s, p) {
                None => return Some(p),
                Some(next) => i = next,
            }
        }
        None
    }

    /// The exact check from character boundary `p`, where the state is at rest:
    /// `None` when it finds a possible match, else where it came back to rest.
    fn check_from(&self, s: &str, p: usize) -> Option<usize> {
        let mut st = GateState::default();
        for (off, c) in s[p..].char_indices() {
            if off > 0 && st == GateState::default() {
                return Some(p + off);
            }
            st = self.step(st, c)?;
        }
        self.at_end(st)?;
        Some(s.len())
    }

    /// The end of the text in state `st` (`None`: a possible match, a GBK run
    /// cut short where its last bytes were dropped).
    pub(super) fn at_end(&self, st: GateState) -> Option<()> {
        matches!(st.gbk, GbkRun::None | GbkRun::Lead).then_some(())
    }

    /// One character of the exact check (`None`: a possible match). A GBK run
    /// of at least three characters, or of two and a lost byte; a C1 control;
    /// or a lead followed by a continuation of the same single-byte codec (or
    /// by a space, an NBSP that became one).
    #[inline]
    pub(super) fn step(&self, st: GateState, c: char) -> Option<GateState> {
        let u = c as u32;
        if u < 0x80 {
            // ASCII ends a run: a GBK run that needed more bytes lost them
            self.at_end(st)?;
            return (st.prev_leads == 0 || c != ' ').then_some(GateState::default());
        }
        if st.gbk != GbkRun::None {
            if let Some(next) = self.gbk_step(st.gbk, c)? {
                return Some(GateState {
                    prev_leads: 0,
                    gbk: next,
                });
            }
        }
        if CJK_UNIFIED.contains(&u) {
            // No single-byte code page has Han characters.
            return Some(GateState {
                prev_leads: 0,
                gbk: if self.han.contains(c) {
                    GbkRun::Lead
                } else {
                    GbkRun::None
                },
            });
        }
        let f = if u < 0x10000 {
            self.flags[u as usize]
        } else {
            0
        };
        if f & GATE_SINGLE != 0 || (st.prev_leads & (f >> 8) & 0xFF) != 0 {
            return None;
        }
        Some(GateState {
            prev_leads: f & 0xFF,
            gbk: GbkRun::None,
        })
    }

    /// A GBK run going on with `c`: `None` a possible match, `Some(None)` the
    /// run ends here (the character is taken on its own), else the next state.
    /// The bytes of 鍏氬憳 are E5 85 | 9A E5 | 91 98.
    fn gbk_step(&self, run: GbkRun, c: char) -> Option<Option<GbkRun>> {
        if c == '\u{FFFD}' {
            return None;
        }
        let u = c as u32;
        let g = if u < 0x10000 {
            self.gbk_table[u as usize]
        } else {
            0
        };
        let (hi, lo) = (g >> 8, g & 0xFF);
        let cont = |b: u16| matches!(b, 0x80..=0xBF);
        Some(match run {
            GbkRun::Lead if cont(hi) && matches!(lo, 0xE0..=0xEF) => Some(GbkRun::NeedsTwo),
            GbkRun::Lead if cont(hi) && matches!(lo, 0xC2..=0xDF | 0xF0..=0xF4) => {
                Some(GbkRun::NeedsOne)
            }
            GbkRun::NeedsTwo if cont(hi) && cont(lo) => return None,
            GbkRun::NeedsOne if cont(hi) => return None,
            _ => None,
        })
    }
}

/// A GBK run starts with a pair whose bytes are a UTF-8 lead and
/// continuation: the lead of a character of Chinese text (punctuation E2 E3,
/// Han E4–E9, fullwidth forms EF; not Hangul or private use, which the repair
/// would not accept as Chinese anyway).
fn han_run_openers(gbk_table: &[u16]) -> BmpSet {
    let mut han = BmpSet::empty();
    if !gbk_table.is_empty() {
        for u in CJK_UNIFIED {
            let g = gbk_table[u as usize];
            if matches!(g >> 8, 0xE2..=0xE9 | 0xEF) && matches!(g & 0xFF, 0x80..=0xBF) {
                han.insert(char::from_u32(u).expect("Han"));
            }
        }
    }
    han
}

/// The fast scan's sets: the characters that can start a match, those that
/// start one only before a continuation, and what may follow a lead of a
/// single-byte codec in a match (outside the Han block, a continuation of
/// some codec, or what matches on its own).
fn suspect_scan(flags: &[u32], han: &BmpSet) -> SuspectScan {
    let (mut suspects, mut lead_only) = (BmpSet::empty(), BmpSet::empty());
    let mut after_lead = BmpSet::empty();
    for u in 0x80u32..0x10000 {
        let Some(c) = char::from_u32(u) else {
            continue;
        };
        let f = flags[u as usize];
        if !CJK_UNIFIED.contains(&u) && f & (GATE_SINGLE | 0xFF00) != 0 {
            after_lead.insert(c);
        }
        if u < 0x800 {
            continue;
        }
        if CJK_UNIFIED.contains(&u) {
            if han.contains(c) {
                suspects.insert(c);
            }
        } else if f & GATE_SINGLE != 0 {
            suspects.insert(c);
        } else if f & 0xFF != 0 {
            suspects.insert(c);
            lead_only.insert(c);
        }
    }
    SuspectScan::new(suspects, lead_only, after_lead)
}
