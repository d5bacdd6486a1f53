//! Which script each legacy encoding writes, and the letters beyond ASCII that
//! each language of that script uses: a decode reads plausibly when its
//! letters fit one language, not a scatter of several.

use encoding_rs::Encoding;

/// The script an encoding is made for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Script {
    Chinese,
    Japanese,
    Korean,
    Latin,
    Cyrillic,
    Greek,
    Hebrew,
    Arabic,
    Thai,
}

impl Script {
    /// Scripts written with one byte per character.
    pub fn single_byte(self) -> bool {
        !matches!(self, Script::Chinese | Script::Japanese | Script::Korean)
    }
}

/// The legacy encodings docclean chooses among, with their script.
pub const LEGACY: &[(&str, Script)] = &[
    ("GBK", Script::Chinese),
    ("Big5", Script::Chinese),
    ("Shift_JIS", Script::Japanese),
    ("EUC-JP", Script::Japanese),
    ("EUC-KR", Script::Korean),
    ("windows-1252", Script::Latin),
    ("ISO-8859-15", Script::Latin),
    ("windows-1250", Script::Latin),
    ("ISO-8859-2", Script::Latin),
    ("ISO-8859-3", Script::Latin),
    ("ISO-8859-4", Script::Latin),
    ("ISO-8859-10", Script::Latin),
    ("ISO-8859-13", Script::Latin),
    ("ISO-8859-14", Script::Latin),
    ("ISO-8859-16", Script::Latin),
    ("windows-1254", Script::Latin),
    ("windows-1257", Script::Latin),
    ("windows-1258", Script::Latin),
    ("macintosh", Script::Latin),
    ("windows-1251", Script::Cyrillic),
    ("KOI8-R", Script::Cyrillic),
    ("KOI8-U", Script::Cyrillic),
    ("ISO-8859-5", Script::Cyrillic),
    ("IBM866", Script::Cyrillic),
    ("x-mac-cyrillic", Script::Cyrillic),
    ("windows-1253", Script::Greek),
    ("ISO-8859-7", Script::Greek),
    ("windows-1255", Script::Hebrew),
    ("ISO-8859-8", Script::Hebrew),
    ("windows-1256", Script::Arabic),
    ("ISO-8859-6", Script::Arabic),
    ("windows-874", Script::Thai),
];

/// The script of an encoding docclean knows; gb18030 writes Chinese too.
pub fn script_of(enc: &'static Encoding) -> Option<Script> {
    if enc == encoding_rs::GB18030 {
        return Some(Script::Chinese);
    }
    if enc == encoding_rs::ISO_2022_JP {
        return Some(Script::Japanese);
    }
    if enc == encoding_rs::ISO_8859_8_I {
        return Some(Script::Hebrew);
    }
    LEGACY
        .iter()
        .find(|(name, _)| *name == enc.name())
        .map(|&(_, s)| s)
}

/// The legacy encodings, resolved.
pub fn legacy_encodings() -> impl Iterator<Item = (&'static Encoding, Script)> {
    LEGACY.iter().map(|&(name, script)| {
        (
            Encoding::for_label(name.as_bytes()).expect("known label"),
            script,
        )
    })
}

/// Lower-case letters beyond ASCII of languages written in Latin script.
pub const LATIN: &[(&str, &str)] = &[
    ("English/typography", ""),
    ("French", "àâæçéèêëîïôœùûüÿ"),
    ("German", "äöüß"),
    ("Spanish", "áéíñóúü"),
    ("Portuguese", "áâãàçéêíóôõú"),
    ("Italian", "àèéìíîòóùú"),
    ("Catalan", "àçèéíïòóúü"),
    ("Dutch", "áéëïóöüè"),
    ("Danish/Norwegian", "æøåéó"),
    ("Swedish", "åäöé"),
    ("Finnish", "äöåšž"),
    ("Icelandic", "áðéíóúýþæö"),
    ("Faroese", "áðíóúýæø"),
    ("Irish", "áéíóú"),
    ("Welsh", "âêîôûŵŷäëïöüáéíóúàèìòù"),
    ("Polish", "ąćęłńóśźż"),
    ("Czech", "áčďéěíňóřšťúůýž"),
    ("Slovak", "áäčďéíĺľňóôŕšťúýž"),
    ("Slovenian", "čšžćđ"),
    ("Croatian", "čćđšž"),
    ("Hungarian", "áéíóöőúüű"),
    ("Romanian", "ăâîșțşţ"),
    ("Albanian", "çë"),
    ("Turkish", "çğıöşüâîû"),
    ("Estonian", "äõöüšž"),
    ("Latvian", "āčēģīķļņšūž"),
    ("Lithuanian", "ąčęėįšųūž"),
    ("Esperanto", "ĉĝĥĵŝŭ"),
    ("Maltese", "ċġħżàèìòù"),
    (
        "Vietnamese",
        "àáâãèéêìíòóôõùúýăđĩũơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ",
    ),
];

/// Lower-case letters of languages written in Cyrillic.
pub const CYRILLIC: &[(&str, &str)] = &[
    ("Russian", "абвгдеёжзийклмнопрстуфхцчшщъыьэюя"),
    ("Ukrainian", "абвгґдеєжзиіїйклмнопрстуфхцчшщьюя"),
    ("Belarusian", "абвгдеёжзійклмнопрстуўфхцчшыьэюя"),
    ("Bulgarian", "абвгдежзийклмнопрстуфхцчшщъьюя"),
    ("Serbian", "абвгдђежзијклљмнњопрстћуфхцчџш"),
    ("Macedonian", "абвгдѓежзѕијклљмнњопрстќуфхцчџш"),
];
