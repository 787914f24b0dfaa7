//! Colours as tools write them, read into `#rrggbb`.

/// `#rrggbb` from `#RRGGBB`, `#rgb`, `#rrggbbaa`, `#rgba`, `rgb(r, g, b)`,
/// `rgba(r, g, b, a)` or hex without `#`; `None` for anything else.
/// Alpha is dropped: REFI-QDA colours have none.
pub(crate) fn parse(value: &str) -> Option<String> {
    let v = value.trim().to_ascii_lowercase();
    if let Some(inner) = v
        .strip_prefix("rgba(")
        .or_else(|| v.strip_prefix("rgb("))
        .and_then(|rest| rest.strip_suffix(')'))
    {
        let parts: Vec<&str> = inner.split([',', ' ', '/']).filter(|p| !p.is_empty()).collect();
        if parts.len() < 3 {
            return None;
        }
        let mut out = String::from("#");
        for part in &parts[..3] {
            let n: u8 = if let Some(pct) = part.strip_suffix('%') {
                let p: f64 = pct.parse().ok()?;
                (p.clamp(0.0, 100.0) * 2.55).round() as u8
            } else {
                part.parse::<f64>().ok().filter(|n| (0.0..=255.0).contains(n))?.round() as u8
            };
            out.push_str(&format!("{n:02x}"));
        }
        return Some(out);
    }
    let hex = v.strip_prefix('#').unwrap_or(&v);
    if !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    match hex.len() {
        3 | 4 => Some(hex.chars().take(3).fold(String::from("#"), |mut s, c| {
            s.push(c);
            s.push(c);
            s
        })),
        6 | 8 => Some(format!("#{}", &hex[..6])),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn reads_the_colours_tools_write() {
        assert_eq!(parse("#EF8256").as_deref(), Some("#ef8256"));
        assert_eq!(parse("#00ff7f").as_deref(), Some("#00ff7f"));
        assert_eq!(parse("#abc").as_deref(), Some("#aabbcc"));
        assert_eq!(parse("#ff000080").as_deref(), Some("#ff0000"));
        assert_eq!(parse("rgb(255, 0, 127)").as_deref(), Some("#ff007f"));
        assert_eq!(parse("rgba(0,128,255,0.5)").as_deref(), Some("#0080ff"));
        assert_eq!(parse("red"), None);
        assert_eq!(parse(""), None);
        assert_eq!(parse("rgb(300,0,0)"), None);
    }
}
