//! The report's charts: line charts of values per iteration, drawn with
//! plotters' SVG backend into strings that the page inlines. No font files:
//! the backend writes `<text>` elements and the browser picks the font.
//!
//! Charts show the change since the first counted sample (the last
//! warm-up), which is what a verdict judges; warm-ups sit on a shaded band.
//! A warm-up far off the counted range (a cache cleared after the first
//! iteration) would flatten the counted growth to a line, so such values
//! are drawn at the chart's edge and the caption says so.

use plotters::prelude::*;

/// Colours of the lines, in order: Okabe and Ito's palette, told apart by
/// readers with any common colour blindness.
pub const PALETTE: [(u8, u8, u8); 6] = [
    (0, 114, 178),
    (213, 94, 0),
    (0, 158, 115),
    (204, 121, 167),
    (230, 159, 0),
    (86, 180, 233),
];

/// One line: the value at each iteration it was sampled.
#[derive(Debug, Clone)]
pub struct Line {
    pub points: Vec<(i32, i64)>,
}

/// What to draw.
#[derive(Debug, Clone)]
pub struct Spec {
    /// Said to screen readers; the page's caption says it to everyone.
    pub label: String,
    /// What the vertical axis counts.
    pub y_desc: String,
    /// Iterations 0..=warmups are warm-ups.
    pub warmups: usize,
    pub lines: Vec<Line>,
    pub width: u32,
    pub height: u32,
}

fn colour(index: usize) -> RGBColor {
    let (r, g, b) = PALETTE[index % PALETTE.len()];
    RGBColor(r, g, b)
}

fn line_width(index: usize, lines: usize) -> u32 {
    if lines == 1 {
        2
    } else {
        (5 - index.min(3)) as u32
    }
}

/// A drawn chart.
#[derive(Debug, Clone)]
pub struct Drawn {
    pub svg: String,
    /// Some warm-up value lay off the scale and was drawn at its edge.
    pub clipped: bool,
}

/// `+3`, `0`, `-71`, `+12k`: short labels for changes.
fn change_label(v: i64) -> String {
    let sign = if v > 0 { "+" } else { "" };
    if v.abs() >= 100_000 && v % 1000 == 0 {
        format!("{sign}{}k", v / 1000)
    } else {
        format!("{sign}{v}")
    }
}

/// The vertical range: the counted values, with warm-ups as far as two
/// counted spans beyond them; returns the range and whether anything was
/// left outside it.
fn y_range(spec: &Spec) -> (i64, i64, bool) {
    let counted = spec
        .lines
        .iter()
        .flat_map(|l| &l.points)
        .filter(|(x, _)| *x as usize >= spec.warmups)
        .map(|&(_, y)| y);
    let all = spec.lines.iter().flat_map(|l| &l.points).map(|&(_, y)| y);
    let (clo, chi) = bounds(counted)
        .or_else(|| bounds(all.clone()))
        .unwrap_or((0, 0));
    let span = (chi - clo).max(2);
    let (wlo, whi) = (clo - 2 * span, chi + 2 * span);
    let (mut lo, mut hi) = (clo, chi);
    let mut clipped = false;
    for y in all {
        clipped |= y < wlo || y > whi;
        lo = lo.min(y.max(wlo));
        hi = hi.max(y.min(whi));
    }
    // Room above and below the lines, and never a range of one value.
    let pad = ((hi - lo) / 10).max(1);
    (lo - pad, hi + pad, clipped)
}

fn bounds(values: impl Iterator<Item = i64>) -> Option<(i64, i64)> {
    values.fold(None, |acc, v| match acc {
        None => Some((v, v)),
        Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
    })
}

/// Draws `spec` as an SVG element for inlining (no XML prologue, sized by
/// the page's CSS through its viewBox).
pub fn line_chart(spec: &Spec) -> Drawn {
    let (lo, hi, clipped) = y_range(spec);
    let last = spec
        .lines
        .iter()
        .flat_map(|l| &l.points)
        .map(|&(x, _)| x)
        .max()
        .unwrap_or(1)
        .max(1);
    let mut svg = String::new();
    // Drawing into a String cannot fail for I/O; a plotting error (a range
    // plotters refuses) leaves the chart empty rather than the page.
    let _ = draw(spec, lo, hi, last, &mut svg);
    Drawn {
        svg: tidy(&svg, spec),
        clipped,
    }
}

fn draw(
    spec: &Spec,
    lo: i64,
    hi: i64,
    last: i32,
    svg: &mut String,
) -> Result<(), Box<dyn std::error::Error>> {
    let root = SVGBackend::with_string(svg, (spec.width, spec.height)).into_drawing_area();
    let mut chart = ChartBuilder::on(&root)
        .margin_top(10)
        .margin_right(16)
        .margin_left(4)
        .margin_bottom(4)
        .x_label_area_size(44)
        .y_label_area_size(64)
        .build_cartesian_2d(0..last, lo..hi)?;
    let ink = RGBColor(60, 60, 60);
    let band = RGBColor(232, 232, 232);
    // plotters writes font-size as the size / 1.24.
    let label_style = ("sans-serif", 17).into_font().color(&ink);
    let x_labels = (last as usize + 1).min(11);
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(TRANSPARENT)
        .bold_line_style(RGBColor(225, 225, 225))
        .axis_style(ink)
        .x_labels(x_labels)
        .y_labels(5)
        .label_style(label_style.clone())
        .axis_desc_style(label_style.clone())
        .x_desc("iteration")
        .y_desc(spec.y_desc.as_str())
        .x_label_formatter(&|x| x.to_string())
        .y_label_formatter(&|y| change_label(*y))
        .draw()?;
    if spec.warmups > 0 {
        let end = (spec.warmups as i32).min(last);
        chart.draw_series(std::iter::once(Rectangle::new(
            [(0, lo), (end, hi)],
            band.filled(),
        )))?;
        chart.draw_series(std::iter::once(
            EmptyElement::at((0, hi))
                + Text::new(
                    "warm-up",
                    (5, 4),
                    ("sans-serif", 16).into_font().color(&ink),
                ),
        ))?;
    }
    let dense = spec.lines.iter().map(|l| l.points.len()).max().unwrap_or(0) > 30;
    for (i, line) in spec.lines.iter().enumerate() {
        let points: Vec<(i32, i64)> = line
            .points
            .iter()
            .map(|&(x, y)| (x, y.clamp(lo, hi)))
            .collect();
        // Earlier lines are drawn wider, so that a line hidden under a later
        // one with the same values still shows at its edges.
        chart.draw_series(LineSeries::new(
            points.iter().copied(),
            colour(i).stroke_width(line_width(i, spec.lines.len())),
        ))?;
        if !dense {
            let c = colour(i);
            // A marker's shape tells the lines apart in print and for
            // readers who do not see the colours.
            match i % 4 {
                0 => chart.draw_series(points.iter().map(|&p| Circle::new(p, 4, c.filled())))?,
                1 => chart.draw_series(
                    points
                        .iter()
                        .map(|&p| TriangleMarker::new(p, 6, c.filled())),
                )?,
                2 => chart.draw_series(points.iter().map(|&p| {
                    EmptyElement::at(p) + Rectangle::new([(-4, -4), (4, 4)], c.filled())
                }))?,
                _ => chart
                    .draw_series(points.iter().map(|&p| Cross::new(p, 5, c.stroke_width(2))))?,
            };
        }
    }
    root.present()?;
    Ok(())
}

/// The legend's key for line `index`: its colour, width and marker.
pub fn swatch(index: usize, lines: usize) -> String {
    let (w, h) = (36u32, 14u32);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area();
        let c = colour(index);
        let line = PathElement::new(
            vec![(2, 7), (34, 7)],
            c.stroke_width(line_width(index, lines)),
        );
        let at = (18, 7);
        let _ = root.draw(&line);
        let _ = match index % 4 {
            0 => root.draw(&Circle::new(at, 4, c.filled())),
            1 => root.draw(&TriangleMarker::new(at, 6, c.filled())),
            2 => {
                root.draw(&(EmptyElement::at(at) + Rectangle::new([(-4, -4), (4, 4)], c.filled())))
            }
            _ => root.draw(&Cross::new(at, 5, c.stroke_width(2))),
        };
        let _ = root.present();
    }
    let spec = Spec {
        label: String::new(),
        y_desc: String::new(),
        warmups: 0,
        lines: Vec::new(),
        width: w,
        height: h,
    };
    tidy(&svg, &spec).replacen(
        "class=\"chart\" viewBox=\"0 0 36 14\" role=\"img\" aria-label=\"\"",
        "class=\"swatch\" viewBox=\"0 0 36 14\" aria-hidden=\"true\"",
        1,
    )
}

/// Replaces plotters' `<svg ...>` with one that scales with the page and
/// is labelled for screen readers, and drops attributes that say the
/// default (a report with many charts is smaller for it).
fn tidy(svg: &str, spec: &Spec) -> String {
    let body = match svg.find('>') {
        Some(end) if svg.starts_with("<svg") => &svg[end + 1..],
        _ => svg,
    };
    let head = format!(
        "<svg class=\"chart\" viewBox=\"0 0 {} {}\" role=\"img\" aria-label=\"{}\">",
        spec.width,
        spec.height,
        super::escape(&spec.label)
    );
    let body = body
        .replace(" opacity=\"1\"", "")
        .replace(" font-family=\"sans-serif\"", "")
        .replace("\n", "");
    head + &body
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(points: Vec<(i32, i64)>, warmups: usize) -> Spec {
        Spec {
            label: "reference total <per iteration>".into(),
            y_desc: "references".into(),
            warmups,
            lines: vec![Line { points }],
            width: 420,
            height: 220,
        }
    }

    #[test]
    fn a_chart_is_one_labelled_svg_with_its_axes_and_line() {
        let drawn = line_chart(&spec(vec![(0, 4), (1, 5), (2, 6), (3, 7), (4, 8)], 2));
        let svg = &drawn.svg;
        assert!(
            svg.starts_with("<svg class=\"chart\" viewBox=\"0 0 420 220\""),
            "{svg}"
        );
        assert!(svg.contains("aria-label=\"reference total &lt;per iteration&gt;\""));
        assert_eq!(svg.matches("<svg").count(), 1);
        assert!(svg.trim_end().ends_with("</svg>"));
        assert!(svg.contains(">iteration</text>"), "x axis labelled");
        assert!(svg.contains(">references</text>"), "y axis labelled");
        assert!(svg.contains(">warm-up</text>"), "warm-ups marked");
        assert!(svg.contains("<polyline"), "the line");
        assert!(!drawn.clipped);
    }

    #[test]
    fn a_warm_up_far_off_the_counted_range_is_clipped_and_said() {
        let drawn = line_chart(&spec(vec![(0, -5000), (1, 0), (2, 1), (3, 2), (4, 3)], 1));
        assert!(drawn.clipped);
        let (lo, hi, _) = y_range(&spec(vec![(0, -5000), (1, 0), (2, 1), (3, 2)], 1));
        assert!(lo > -20 && hi < 20, "{lo}..{hi}");
    }

    #[test]
    fn flat_and_empty_lines_still_draw() {
        assert!(line_chart(&spec(vec![(0, 3), (1, 3)], 0))
            .svg
            .contains("<polyline"));
        assert!(line_chart(&spec(vec![], 0)).svg.starts_with("<svg"));
    }

    #[test]
    fn labels_of_changes() {
        assert_eq!(change_label(3), "+3");
        assert_eq!(change_label(0), "0");
        assert_eq!(change_label(-71), "-71");
        assert_eq!(change_label(200_000), "+200k");
    }
}
