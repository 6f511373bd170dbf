//! Case- and accent-insensitive comparison of catalog words ("Café" == "cafe").
use unicode_normalization::UnicodeNormalization;

/// Lower-case, accents stripped (NFKD minus combining marks), trimmed.
pub fn fold(s: &str) -> String {
    s.nfkd().filter(|c| !unicode_normalization::char::is_combining_mark(*c)).collect::<String>().trim().to_lowercase()
}

#[cfg(test)]
mod tests {
    #[test]
    fn fold_ignores_case_and_accents() {
        assert_eq!(super::fold(" Café "), "cafe");
        assert_eq!(super::fold("Polerón"), "poleron");
    }
}
