//! C1 control characters: Windows-1252 punctuation read as Latin-1.

/// C1 control characters left in text are Windows-1252 punctuation read as Latin-1.
pub(super) fn fix_c1(line: &str) -> Option<String> {
    // C1 controls are encoded C2 80 – C2 9F.
    let bytes = line.as_bytes();
    if !memchr::memchr_iter(0xC2, bytes)
        .any(|i| bytes.get(i + 1).is_some_and(|b| (0x80..=0x9F).contains(b)))
    {
        return None;
    }
    let mut changed = false;
    let out: String = line
        .chars()
        .map(|c| {
            if ('\u{80}'..='\u{9F}').contains(&c) {
                let one = [c as u8];
                let (s, bad) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(&one);
                if let Some(d) = s
                    .chars()
                    .next()
                    .filter(|d| !bad && !('\u{80}'..='\u{9F}').contains(d))
                {
                    changed = true;
                    return d;
                }
            }
            c
        })
        .collect();
    changed.then_some(out)
}
