//! Text seen as the bytes a wrong decoder read, and UTF-8 decoding of those
//! bytes where some were lost (U+FFFD in the text).

use super::codec::Codec;
use super::lost::infer_lost_gbk;
use super::script::is_cjkish;

/// One byte as the wrong decoder saw it; `None` is a byte it lost (U+FFFD).
pub(super) type Byte = Option<u8>;

/// A line seen as bytes: runs between characters the codec cannot encode.
pub(super) struct ByteLine {
    pub bytes: Vec<Byte>,
    /// For each byte, the index of the character it came from.
    pub char_of: Vec<usize>,
    /// Byte index where each character starts (len = chars + 1).
    pub starts: Vec<usize>,
    /// Characters that the codec cannot map (barriers).
    pub barrier: Vec<bool>,
}

/// The byte a codec's character stands for, `Some(None)` for a lost byte,
/// `None` where the codec has no byte for it.
pub(super) fn byte_of(c: char, codec: &Codec) -> Option<Byte> {
    if (c as u32) < 0x80 {
        Some(Some(c as u8))
    } else if c == '\u{FFFD}' {
        Some(None)
    } else if (c as u32) < 0x10000 && codec.table[c as usize] != 0 {
        Some(Some(codec.table[c as usize] as u8))
    } else {
        None
    }
}

pub(super) fn to_bytes(chars: &[char], codec: &Codec) -> ByteLine {
    let mut bl = ByteLine {
        bytes: Vec::with_capacity(chars.len() * 2),
        char_of: Vec::new(),
        starts: Vec::with_capacity(chars.len() + 1),
        barrier: Vec::new(),
    };
    for (ci, &c) in chars.iter().enumerate() {
        bl.starts.push(bl.bytes.len());
        let mut push = |b: Byte| {
            bl.bytes.push(b);
            bl.char_of.push(ci);
        };
        let mapped = if (c as u32) < 0x80 {
            push(Some(c as u8));
            true
        } else if c == '\u{FFFD}' {
            push(None);
            true
        } else if (c as u32) < 0x10000 && codec.table[c as usize] != 0 {
            let v = codec.table[c as usize];
            if v > 0xFF {
                push(Some((v >> 8) as u8));
                push(Some((v & 0xFF) as u8));
            } else {
                push(Some(v as u8));
            }
            true
        } else {
            false
        };
        bl.barrier.push(!mapped);
    }
    bl.starts.push(bl.bytes.len());
    bl
}

/// Decode one UTF-8 character at `bytes[i..]`, lost bytes as wildcards.
/// Returns the char, bytes consumed, and whether a byte was lost in it.
/// With `infer`, a single lost byte of a GBK run is guessed where the
/// bytes around it leave one likely character.
pub(super) fn decode_at(bytes: &[Byte], i: usize, infer: bool) -> Option<(char, usize, bool)> {
    let Some(b0) = bytes[i] else {
        // A lost lead byte: its continuation bytes are orphans.
        let mut n = 1;
        while n < 4 && i + n < bytes.len() && matches!(bytes[i + n], Some(0x80..=0xBF)) {
            n += 1;
        }
        return Some(('\u{FFFD}', n, true));
    };
    let need = match b0 {
        0x00..=0x7F => return Some((b0 as char, 1, false)),
        0xC2..=0xDF => 1,
        0xE0..=0xEF => 2,
        0xF0..=0xF4 => 3,
        _ => return None,
    };
    if i + need >= bytes.len() {
        return None;
    }
    let mut buf = [b0, 0, 0, 0];
    let mut lost_at = None;
    let mut lost = 0;
    #[allow(clippy::needless_range_loop)] // `k` is also the lost byte's position
    for k in 1..=need {
        match bytes.get(i + k).copied().flatten() {
            Some(b @ 0x80..=0xBF) => buf[k] = b,
            // consoles print a byte they could not pair as `?`
            Some(b) if !(infer && k == need && b == b'?') => return None,
            _ => {
                lost += 1;
                lost_at = Some(k);
                buf[k] = 0x80;
            }
        }
    }
    if lost == 0 {
        let s = std::str::from_utf8(&buf[..=need]).ok()?;
        return Some((s.chars().next()?, need + 1, false));
    }
    let c = match lost_at {
        Some(k) if infer && lost == 1 => infer_in_run(bytes, i, need, k, &buf),
        _ => '\u{FFFD}',
    };
    Some((c, need + 1, true))
}

/// The character of a sequence at `bytes[i..=i + need]` whose byte `k` was
/// lost. The following byte tells which bytes the decoder could have lost,
/// but only inside a run: at a run's end the text after it was never part of
/// the mangled bytes.
fn infer_in_run(bytes: &[Byte], i: usize, need: usize, k: usize, buf: &[u8; 4]) -> char {
    let run_goes_on = bytes.len() > i + need + 1
        && matches!(decode_at(bytes, i + need + 1, false), Some((n, len, false)) if len > 1 && is_cjkish(n));
    if !run_goes_on && k != need {
        return '\u{FFFD}';
    }
    let next = if run_goes_on {
        bytes.get(i + k + 1).copied().flatten()
    } else {
        None
    };
    infer_lost_gbk(&buf[..=need], k, next)
}
