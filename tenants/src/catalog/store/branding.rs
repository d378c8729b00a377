//! A store's look: fonts from a safe list, colours checked for contrast, words.

use super::*;

/// A font from the safe list: system stacks only, nothing fetched from a third party.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Font {
    System,
    Humanist,
    Geometric,
    Serif,
    Slab,
    Mono,
}

impl Font {
    pub const ALL: [Font; 6] = [
        Self::System,
        Self::Humanist,
        Self::Geometric,
        Self::Serif,
        Self::Slab,
        Self::Mono,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::System => "system",
            Self::Humanist => "humanist",
            Self::Geometric => "geometric",
            Self::Serif => "serif",
            Self::Slab => "slab",
            Self::Mono => "mono",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::System => "System (clean sans)",
            Self::Humanist => "Humanist sans",
            Self::Geometric => "Geometric sans",
            Self::Serif => "Classic serif",
            Self::Slab => "Slab serif",
            Self::Mono => "Monospace",
        }
    }

    /// The CSS font stack.
    pub fn stack(self) -> &'static str {
        match self {
            Self::System => {
                "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
            }
            Self::Humanist => {
                "Seravek, 'Gill Sans Nova', Ubuntu, Calibri, 'DejaVu Sans', source-sans-pro, sans-serif"
            }
            Self::Geometric => {
                "Avenir, Montserrat, Corbel, 'URW Gothic', source-sans-pro, sans-serif"
            }
            Self::Serif => "Charter, 'Bitstream Charter', 'Sitka Text', Cambria, Georgia, serif",
            Self::Slab => {
                "Rockwell, 'Rockwell Nova', 'Roboto Slab', 'DejaVu Serif', 'Sitka Small', serif"
            }
            Self::Mono => {
                "ui-monospace, 'Cascadia Code', 'Source Code Pro', Menlo, Consolas, 'DejaVu Sans Mono', monospace"
            }
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == s.trim())
    }
}

/// `#rrggbb`, lower case.
pub fn parse_color(raw: &str, field: &'static str) -> Result<String> {
    let c = raw.trim().to_ascii_lowercase();
    let ok = c.len() == 7 && c.starts_with('#') && c[1..].bytes().all(|b| b.is_ascii_hexdigit());
    if !ok {
        return Err(Error::validation(
            field,
            format!("'{}' is not a colour like #1a4f8b", raw.trim()),
        ));
    }
    Ok(c)
}

pub(super) fn channel(hex: &str) -> f64 {
    let v = f64::from(u8::from_str_radix(hex, 16).unwrap_or(0)) / 255.0;
    if v <= 0.040_45 {
        v / 12.92
    } else {
        ((v + 0.055) / 1.055).powf(2.4)
    }
}

pub(super) fn luminance(c: &str) -> f64 {
    0.2126 * channel(&c[1..3]) + 0.7152 * channel(&c[3..5]) + 0.0722 * channel(&c[5..7])
}

/// WCAG contrast ratio of two `#rrggbb` colours, in hundredths (450 = 4.5:1). Colours, not
/// money: the one place a float is the right tool.
pub fn contrast_x100(a: &str, b: &str) -> u32 {
    let (la, lb) = (luminance(a), luminance(b));
    let (hi, lo) = if la > lb { (la, lb) } else { (lb, la) };
    (((hi + 0.05) / (lo + 0.05)) * 100.0).floor() as u32
}

pub(super) fn ratio(x100: u32) -> String {
    format!("{}.{}:1", x100 / 100, (x100 % 100) / 10)
}

/// A store's look and words.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Branding {
    pub tagline: String,
    pub hero_text: String,
    /// Buttons and the header: white text sits on it, so it needs 4.5:1 against white.
    pub primary_color: String,
    /// Links and prices on white: also 4.5:1 against white.
    pub accent_color: String,
    pub font: Font,
    pub logo: Option<String>,
}

impl Default for Branding {
    fn default() -> Self {
        Self {
            tagline: String::new(),
            hero_text: String::new(),
            primary_color: "#1f3a5f".into(),
            accent_color: "#b4461f".into(),
            font: Font::System,
            logo: None,
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BrandingInput {
    pub tagline: String,
    pub hero_text: String,
    pub primary_color: String,
    pub accent_color: String,
    pub font: String,
    pub logo: String,
}

pub const MIN_CONTRAST_X100: u32 = 450;

impl Branding {
    pub fn parse(input: &BrandingInput) -> Result<Self> {
        let tagline = input
            .tagline
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        if tagline.chars().count() > 160 {
            return Err(Error::validation(
                "tagline",
                "must be at most 160 characters",
            ));
        }
        let hero_text = input.hero_text.trim().to_owned();
        if hero_text.chars().count() > 400 {
            return Err(Error::validation(
                "hero_text",
                "must be at most 400 characters",
            ));
        }
        if tagline
            .chars()
            .chain(hero_text.chars())
            .any(|c| c.is_control() && c != '\n')
        {
            return Err(Error::validation(
                "hero_text",
                "must not contain control characters",
            ));
        }
        let primary = parse_color(&input.primary_color, "primary_color")?;
        let accent = parse_color(&input.accent_color, "accent_color")?;
        for (field, c, role) in [
            ("primary_color", &primary, "white button text"),
            ("accent_color", &accent, "a white page"),
        ] {
            let x = contrast_x100(c, "#ffffff");
            if x < MIN_CONTRAST_X100 {
                return Err(Error::validation(
                    field,
                    format!(
                        "{c} has a contrast of {} against {role}; choose a darker colour (at least {})",
                        ratio(x),
                        ratio(MIN_CONTRAST_X100)
                    ),
                ));
            }
        }
        let font = Font::parse(&input.font)
            .ok_or_else(|| Error::validation("font", "choose a font from the list"))?;
        let logo = match input.logo.trim() {
            "" => None,
            l if valid_media_name(l) => Some(l.to_owned()),
            _ => return Err(Error::validation("logo", "upload the logo again")),
        };
        Ok(Self {
            tagline,
            hero_text,
            primary_color: primary,
            accent_color: accent,
            font,
            logo,
        })
    }
}
