using PdfSharp.Drawing;
using PdfSharp.Pdf;
using RadAI.Contracts.Findings;
using SkiaSharp;

namespace RadAI.ReportBuilder.Rendering;

/// <summary>
/// The human-readable report, the content of the Encapsulated PDF: institution header, "unvalidated result" banner with
/// each model status in plain words, patient and study block, per run the algorithm's identity, the findings table
/// (values and readable units) and the remarks, the narrative conclusion, then the key images with their overlay. A4,
/// usually one or two pages, fonts embedded from this assembly, text extractable (Unicode, accents intact).
/// </summary>
public static class PdfReportBuilder
{
    /// <summary>Largest side, in pixels, of a key image embedded in the PDF (larger ones, e.g. mammograms, are reduced for the page).</summary>
    public const int MaxEmbeddedPixels = 1024;

    private const double PageWidth = 595.28;
    private const double PageHeight = 841.89;
    private const double Left = 42;
    private const double Right = PageWidth - 42;
    private const double Top = 40;
    private const double Bottom = PageHeight - 48;
    private const double ContentWidth = Right - Left;

    private static readonly XColor Ink = XColor.FromArgb(25, 25, 25);
    private static readonly XColor Muted = XColor.FromArgb(95, 95, 95);
    private static readonly XColor Accent = XColor.FromArgb(20, 70, 130);
    private static readonly XColor Alert = XColor.FromArgb(183, 28, 28);
    private static readonly XColor AlertBack = XColor.FromArgb(253, 236, 234);
    private static readonly XColor Warning = XColor.FromArgb(170, 85, 0);
    private static readonly XColor Panel = XColor.FromArgb(242, 244, 247);
    private static readonly XColor Rule = XColor.FromArgb(200, 205, 212);

    /// <summary>Reads a logo file (PNG or JPEG) for <see cref="ReportInstitution.Logo"/>; null for no path.</summary>
    /// <exception cref="InvalidDataException">The file is neither PNG nor JPEG.</exception>
    public static async Task<byte[]?> ReadLogoAsync(string? path, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            return null;
        }

        var bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        return IsPngOrJpeg(bytes) ? bytes : throw new InvalidDataException($"The logo {path} is neither a PNG nor a JPEG file.");
    }

    /// <summary>The PDF file of the report.</summary>
    /// <exception cref="ArgumentException">An unknown language, or a logo that is neither PNG nor JPEG.</exception>
    public static byte[] Build(PdfReportInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var strings = ReportStrings.For(input.Language);
        if (input.Institution.Logo is { } logo && !IsPngOrJpeg(logo))
        {
            throw new ArgumentException("The institution logo is neither a PNG nor a JPEG image.", nameof(input));
        }

        ReportFonts.RegisterWithPdfSharp();
        using var document = new PdfDocument();
        document.Info.Title = strings.Text("reportTitle");
        document.Info.Author = input.Institution.Name;
        document.Info.Subject = strings.Text("disclaimerTitle");
        document.Info.Creator = "RadAI report-builder";
        document.Info.CreationDate = input.GeneratedAt.UtcDateTime;
        document.Language = strings.Language == ReportLanguage.French ? "fr-FR" : "en-GB";

        var streams = new List<MemoryStream>();
        try
        {
            using (var writer = new PageWriter(document, input, strings, streams))
            {
                writer.Header();
                writer.Banner();
                writer.PatientBlock();
                if (input.Results.Runs.Count == 0)
                {
                    writer.Paragraph(strings.Text("noRuns"), writer.Body, Ink);
                }

                foreach (var run in input.Results.Runs)
                {
                    writer.Run(run);
                }

                writer.Conclusion();
                writer.KeyImages();
            }

            Footers(document, strings);
            using var output = new MemoryStream();
            document.Save(output, closeStream: false);
            return output.ToArray();
        }
        finally
        {
            foreach (var stream in streams)
            {
                stream.Dispose();
            }
        }
    }

    private static void Footers(PdfDocument document, ReportStrings strings)
    {
        var font = Font(7.5, bold: false);
        for (var i = 0; i < document.PageCount; i++)
        {
            using var gfx = XGraphics.FromPdfPage(document.Pages[i], XGraphicsPdfPageOptions.Append);
            gfx.DrawLine(new XPen(Rule, 0.5), Left, Bottom + 14, Right, Bottom + 14);
            gfx.DrawString(strings.Format("footer", i + 1, document.PageCount), font, new XSolidBrush(Muted),
                new XRect(Left, Bottom + 18, ContentWidth, 12), XStringFormats.TopCenter);
        }
    }

    /// <summary>The PNG of a key image for the page: as rendered, or reduced so that its larger side is <see cref="MaxEmbeddedPixels"/>.</summary>
    private static byte[] ForPage(KeyImage image)
    {
        if (image.Width <= MaxEmbeddedPixels && image.Height <= MaxEmbeddedPixels)
        {
            return image.Png;
        }

        var scale = (double)MaxEmbeddedPixels / Math.Max(image.Width, image.Height);
        var info = new SKImageInfo(Math.Max(1, (int)Math.Round(image.Width * scale)), Math.Max(1, (int)Math.Round(image.Height * scale)), SKColorType.Rgba8888, SKAlphaType.Opaque);
        using var full = KeyImageRenderer.ToBitmap(image.Rgb, image.Width, image.Height);
        using var reduced = full.Resize(info, new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear))
            ?? throw new InvalidOperationException("SkiaSharp could not reduce the key image.");
        using var png = reduced.Encode(SKEncodedImageFormat.Png, 100)
            ?? throw new InvalidOperationException("SkiaSharp could not encode the reduced key image.");
        return png.ToArray();
    }

    private static bool IsPngOrJpeg(byte[] bytes) =>
        bytes.AsSpan().StartsWith((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        || bytes.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]);

    private static XFont Font(double size, bool bold) =>
        new(ReportFonts.Family, size, bold ? XFontStyleEx.Bold : XFontStyleEx.Regular, new XPdfFontOptions(PdfFontEncoding.Unicode));

    /// <summary>Lays the report out from top to bottom, opening a page when the next block does not fit.</summary>
    private sealed class PageWriter : IDisposable
    {
        private readonly PdfDocument _document;
        private readonly PdfReportInput _input;
        private readonly ReportStrings _strings;
        private readonly List<MemoryStream> _streams;
        private readonly XFont _title = Font(13.5, bold: true);
        private readonly XFont _subtitle = Font(10.5, bold: false);
        private readonly XFont _heading = Font(11, bold: true);
        private readonly XFont _small = Font(8, bold: false);
        private readonly XFont _smallBold = Font(8, bold: true);
        private readonly XFont _cell = Font(8.5, bold: false);
        private readonly XFont _cellBold = Font(8.5, bold: true);
        private XGraphics _gfx;
        private double _y;

        public PageWriter(PdfDocument document, PdfReportInput input, ReportStrings strings, List<MemoryStream> streams)
        {
            _document = document;
            _input = input;
            _strings = strings;
            _streams = streams;
            _gfx = NewPage();
        }

        public XFont Body { get; } = Font(9, bold: false);

        private XFont BodyBold { get; } = Font(9, bold: true);

        public void Dispose() => _gfx.Dispose();

        public void Header()
        {
            var x = Left;
            var logoHeight = 0.0;
            if (_input.Institution.Logo is { } logo)
            {
                var image = Image(logo);
                var scale = Math.Min(44 / image.PointHeight, 120 / image.PointWidth);
                _gfx.DrawImage(image, Left, _y, image.PointWidth * scale, image.PointHeight * scale);
                x += (image.PointWidth * scale) + 12;
                logoHeight = image.PointHeight * scale;
            }

            var top = _y;
            _gfx.DrawString(_input.Institution.Name, _title, new XSolidBrush(Accent), x, _y, XStringFormats.TopLeft);
            _y += _title.GetHeight() + 2;
            _gfx.DrawString(_strings.Text("reportTitle"), _subtitle, new XSolidBrush(Ink), x, _y, XStringFormats.TopLeft);
            _y += _subtitle.GetHeight() + 2;
            _gfx.DrawString(_strings.Format("generatedAt", _strings.DateTime(_input.GeneratedAt)), _small, new XSolidBrush(Muted), x, _y, XStringFormats.TopLeft);
            _y += _small.GetHeight();
            _y = Math.Max(_y, top + logoHeight) + 6;
            _gfx.DrawLine(new XPen(Accent, 1), Left, _y, Right, _y);
            _y += 8;
        }

        public void Banner()
        {
            var lines = new List<(string Text, XFont Font)> { (_strings.Text("disclaimerTitle"), Font(10, bold: true)) };
            lines.AddRange(Wrap(_strings.Text("disclaimer"), Body, ContentWidth - 16).Select(l => (l, Body)));
            foreach (var status in _input.Results.Runs.Select(r => r.Model.Status.Trim().ToUpperInvariant()).Distinct())
            {
                var text = _strings.Format("statusLine", status, _strings.StatusDescription(status));
                lines.AddRange(Wrap(text, BodyBold, ContentWidth - 16).Select(l => (l, BodyBold)));
            }

            var height = lines.Sum(l => l.Font.GetHeight()) + 12;
            EnsureSpace(height);
            _gfx.DrawRoundedRectangle(new XPen(Alert, 1.2), new XSolidBrush(AlertBack), Left, _y, ContentWidth, height, 6, 6);
            var y = _y + 6;
            foreach (var (text, font) in lines)
            {
                _gfx.DrawString(text, font, new XSolidBrush(Alert), Left + 8, y, XStringFormats.TopLeft);
                y += font.GetHeight();
            }

            _y += height + 10;
        }

        public void PatientBlock()
        {
            var p = _input.PatientStudy;
            (string Label, string Value)[] fields =
            [
                (_strings.Text("patientName"), p.PatientName), (_strings.Text("patientId"), p.PatientId),
                (_strings.Text("birthDate"), p.BirthDate), (_strings.Text("sex"), p.Sex),
                (_strings.Text("studyDate"), p.StudyDate), (_strings.Text("accessionNumber"), p.AccessionNumber),
                (_strings.Text("studyDescription"), p.StudyDescription), (_strings.Text("referringPhysician"), p.ReferringPhysician),
            ];
            Heading(_strings.Text("patientBlock"));
            var columnWidth = (ContentWidth - 16) / 2;
            var labelWidth = Math.Min(columnWidth / 2, fields.Max(f => _gfx.MeasureString(f.Label, _cellBold).Width) + 8);
            var rows = fields.Chunk(2).Select(pair => pair.Select(f => Wrap(Show(f.Value), Body, columnWidth - labelWidth - 4)).ToArray()).ToArray();
            var line = Body.GetHeight();
            var height = rows.Sum(r => r.Max(c => c.Count) * line) + 10;
            EnsureSpace(height);
            _gfx.DrawRectangle(new XSolidBrush(Panel), Left, _y, ContentWidth, height);
            var y = _y + 5;
            for (var r = 0; r < rows.Length; r++)
            {
                for (var c = 0; c < rows[r].Length; c++)
                {
                    var x = Left + 8 + (c * columnWidth);
                    var field = fields[(2 * r) + c];
                    _gfx.DrawString(field.Label, _cellBold, new XSolidBrush(Muted), x, y, XStringFormats.TopLeft);
                    var yy = y;
                    foreach (var text in rows[r][c])
                    {
                        _gfx.DrawString(text, Body, new XSolidBrush(Ink), x + labelWidth, yy, XStringFormats.TopLeft);
                        yy += line;
                    }
                }

                y += rows[r].Max(cell => cell.Count) * line;
            }

            _y += height + 10;
        }

        public void Run(RunResults run)
        {
            Heading(run.Model.Name);
            var identity = new List<(string, string)>
            {
                (_strings.Text("algorithm"), _strings.Format("algorithmLine", run.Model.Name, run.Model.Version, run.Model.Id)),
                (_strings.Text("status"), $"{run.Model.Status} ({_strings.StatusShort(run.Model.Status)})"),
                (_strings.Text("series"), _strings.Format("seriesLine", run.Modality, run.Geometry.SizeZ, run.Geometry.SizeX, run.Geometry.SizeY)),
                (_strings.Text("run"), _strings.Format("runLine", run.ExecutionProvider, _strings.Number(run.DurationMs / 1000.0, 1))),
            };
            if (!string.IsNullOrWhiteSpace(run.Model.IntendedUse))
            {
                identity.Add((_strings.Text("intendedUse"), run.Model.IntendedUse));
            }

            if (run.Model.Limitations.Count > 0)
            {
                identity.Add((_strings.Text("limitations"), string.Join(" ", run.Model.Limitations)));
            }

            foreach (var (label, value) in identity)
            {
                LabelledLine(label, value);
            }

            _y += 4;
            FindingsTable(run);
            if (run.Notes.Count > 0)
            {
                EnsureSpace(BodyBold.GetHeight() * 2);
                _gfx.DrawString(_strings.Text("notes"), BodyBold, new XSolidBrush(Ink), Left, _y, XStringFormats.TopLeft);
                _y += BodyBold.GetHeight() + 1;
                foreach (var note in run.Notes)
                {
                    var warning = note.Severity == "warning";
                    Bullet(warning ? "▲" : "•", _strings.Note(note), _cell, warning ? Warning : Muted);
                }
            }

            _y += 8;
        }

        public void Conclusion()
        {
            Heading(_strings.Text("conclusion"));
            foreach (var paragraph in NarrativeConclusion.Paragraphs(_input.Results, _strings))
            {
                Paragraph(paragraph, Body, Ink);
                _y += 3;
            }

            _y += 6;
        }

        public void KeyImages()
        {
            if (_input.KeyImages.Count == 0)
            {
                return;
            }

            // One row of up to four: the report keeps to two pages; the full-size images are the Secondary Captures.
            const double gap = 14;
            var columns = Math.Clamp(_input.KeyImages.Count, 2, 4);
            var cellWidth = (ContentWidth - ((columns - 1) * gap)) / columns;
            var legend = Wrap(_strings.Text("keyImagesLegend"), _small, ContentWidth);
            var first = true;
            foreach (var row in _input.KeyImages.Chunk(columns))
            {
                var captions = row.Select(k => Wrap(Caption(k), _small, cellWidth)).ToArray();
                var imageHeight = row.Max(k => Math.Min(cellWidth, cellWidth * k.Image.Height / k.Image.Width));
                var rowHeight = imageHeight + 4 + (captions.Max(c => c.Count) * _small.GetHeight()) + gap;
                var headingHeight = first ? _heading.GetHeight() + 8 + (legend.Count * _small.GetHeight()) + 4 : 0;
                EnsureSpace(headingHeight + rowHeight);
                if (first)
                {
                    Heading(_strings.Text("keyImages"));
                    foreach (var line in legend)
                    {
                        _gfx.DrawString(line, _small, new XSolidBrush(Muted), Left, _y, XStringFormats.TopLeft);
                        _y += _small.GetHeight();
                    }

                    _y += 4;
                    first = false;
                }

                for (var i = 0; i < row.Length; i++)
                {
                    var key = row[i];
                    var x = Left + (i * (cellWidth + gap));
                    var scale = Math.Min(cellWidth / key.Image.Width, imageHeight / key.Image.Height);
                    var width = key.Image.Width * scale;
                    var height = key.Image.Height * scale;
                    var image = Image(ForPage(key.Image));
                    image.Interpolate = key.Image.Width > MaxEmbeddedPixels || key.Image.Height > MaxEmbeddedPixels;
                    _gfx.DrawImage(image, x + ((cellWidth - width) / 2), _y, width, height);
                    var y = _y + imageHeight + 4;
                    foreach (var line in captions[i])
                    {
                        _gfx.DrawString(line, _small, new XSolidBrush(Ink), x, y, XStringFormats.TopLeft);
                        y += _small.GetHeight();
                    }
                }

                _y += rowHeight;
            }
        }

        public void Paragraph(string text, XFont font, XColor color, double indent = 0)
        {
            foreach (var line in Wrap(text, font, ContentWidth - indent))
            {
                EnsureSpace(font.GetHeight());
                _gfx.DrawString(line, font, new XSolidBrush(color), Left + indent, _y, XStringFormats.TopLeft);
                _y += font.GetHeight();
            }
        }

        /// <summary>A bullet and its text, the lines after the first aligned on the text.</summary>
        private void Bullet(string bullet, string text, XFont font, XColor color)
        {
            const double indent = 6;
            var hang = _gfx.MeasureString(bullet + " ", font).Width;
            var first = true;
            foreach (var line in Wrap(text, font, ContentWidth - indent - hang))
            {
                EnsureSpace(font.GetHeight());
                if (first)
                {
                    _gfx.DrawString(bullet, font, new XSolidBrush(color), Left + indent, _y, XStringFormats.TopLeft);
                    first = false;
                }

                _gfx.DrawString(line, font, new XSolidBrush(color), Left + indent + hang, _y, XStringFormats.TopLeft);
                _y += font.GetHeight();
            }
        }

        private string Caption(ReportKeyImage key) => _strings.KeyImageCaption(key);

        private void FindingsTable(RunResults run)
        {
            var rows = run.Findings.SelectMany(f => f.Measurements.Select((m, i) => (Finding: f, Measurement: m, First: i == 0))).ToList();
            if (rows.Count == 0)
            {
                Paragraph(_strings.Text("noFindings"), Body, Muted);
                return;
            }

            double[] widths = [150, 215, 85, ContentWidth - 450];
            const double swatch = 7;
            var line = _cell.GetHeight();
            var header = new[] { _strings.Text("columnFinding"), _strings.Text("columnMeasurement"), _strings.Text("columnValue"), _strings.Text("columnUnit") };

            void HeaderRow()
            {
                var height = line + 6;
                _gfx.DrawRectangle(new XSolidBrush(Panel), Left, _y, ContentWidth, height);
                var x = Left;
                for (var c = 0; c < header.Length; c++)
                {
                    var format = c == 2 ? XStringFormats.TopRight : XStringFormats.TopLeft;
                    _gfx.DrawString(header[c], _cellBold, new XSolidBrush(Ink), new XRect(x + 4, _y + 3, widths[c] - 8, line), format);
                    x += widths[c];
                }

                _y += height;
            }

            EnsureSpace((line + 6) * 3);
            HeaderRow();
            var pen = new XPen(Rule, 0.5);
            foreach (var (finding, measurement, first) in rows)
            {
                var name = first ? Wrap(_strings.FindingName(finding), first ? _cellBold : _cell, widths[0] - 8 - swatch - 4) : [];
                var what = Wrap(_strings.Measurement(measurement), _cell, widths[1] - 8);
                var height = (Math.Max(1, Math.Max(name.Count, what.Count)) * line) + 4;
                if (_y + height > Bottom)
                {
                    NewPageAndContinue();
                    HeaderRow();
                }

                if (first)
                {
                    _gfx.DrawLine(pen, Left, _y, Right, _y);
                }

                var y = _y + 2;
                var x = Left;
                if (first && finding.SegmentNumber is { } segment && run.Segments.Any(s => s.Number == segment))
                {
                    var color = SegmentPalette.ColorOf(segment);
                    _gfx.DrawRectangle(new XSolidBrush(XColor.FromArgb(color.R, color.G, color.B)), x + 4, y + 1.5, swatch, swatch);
                }

                DrawLines(name, _cellBold, x + 4 + swatch + 4, y);
                x += widths[0];
                DrawLines(what, _cell, x + 4, y);
                x += widths[1];
                _gfx.DrawString(_strings.Value(measurement.Value), _cell, new XSolidBrush(Ink), new XRect(x + 4, y, widths[2] - 8, line), XStringFormats.TopRight);
                x += widths[2];
                _gfx.DrawString(_strings.Unit(measurement.Unit), _cell, new XSolidBrush(Ink), x + 4, y, XStringFormats.TopLeft);
                _y += height;
            }

            _gfx.DrawLine(pen, Left, _y, Right, _y);
            _y += 6;
        }

        private void DrawLines(IReadOnlyList<string> lines, XFont font, double x, double y)
        {
            foreach (var text in lines)
            {
                _gfx.DrawString(text, font, new XSolidBrush(Ink), x, y, XStringFormats.TopLeft);
                y += font.GetHeight();
            }
        }

        private void LabelledLine(string label, string value)
        {
            const double labelWidth = 150;
            var lines = Wrap(value, _cell, ContentWidth - labelWidth);
            var labels = Wrap(label, _smallBold, labelWidth - 6);
            var height = Math.Max(lines.Count * _cell.GetHeight(), labels.Count * _smallBold.GetHeight());
            EnsureSpace(height);
            var y = _y + 0.5;
            foreach (var text in labels)
            {
                _gfx.DrawString(text, _smallBold, new XSolidBrush(Muted), Left, y, XStringFormats.TopLeft);
                y += _smallBold.GetHeight();
            }

            DrawLines(lines, _cell, Left + labelWidth, _y);
            _y += height;
        }

        private void Heading(string text)
        {
            EnsureSpace(_heading.GetHeight() + 30);
            _gfx.DrawString(text, _heading, new XSolidBrush(Accent), Left, _y, XStringFormats.TopLeft);
            _y += _heading.GetHeight() + 1;
            _gfx.DrawLine(new XPen(Rule, 0.6), Left, _y, Right, _y);
            _y += 4;
        }

        private string Show(string value) => string.IsNullOrWhiteSpace(value) ? _strings.Text("notGiven") : value.Trim();

        private XImage Image(byte[] bytes)
        {
            var stream = new MemoryStream(bytes, writable: false);
            _streams.Add(stream);
            return XImage.FromStream(stream);
        }

        private void EnsureSpace(double height)
        {
            if (_y + height > Bottom)
            {
                NewPageAndContinue();
            }
        }

        private void NewPageAndContinue()
        {
            _gfx.Dispose();
            _gfx = NewPage();
        }

        /// <summary>A new page; after the first, a line naming the institution, patient and study, so a loose page is identified.</summary>
        private XGraphics NewPage()
        {
            var page = _document.AddPage();
            page.Width = XUnit.FromPoint(PageWidth);
            page.Height = XUnit.FromPoint(PageHeight);
            var gfx = XGraphics.FromPdfPage(page);
            _y = Top;
            if (_document.PageCount > 1)
            {
                var p = _input.PatientStudy;
                var text = string.Join(" · ", new[] { _input.Institution.Name, p.PatientName, p.PatientId, p.StudyDate }.Where(s => !string.IsNullOrWhiteSpace(s)));
                gfx.DrawString(text, _small, new XSolidBrush(Muted), Left, _y, XStringFormats.TopLeft);
                _y += _small.GetHeight() + 2;
                gfx.DrawLine(new XPen(Rule, 0.5), Left, _y, Right, _y);
                _y += 8;
            }

            return gfx;
        }

        /// <summary>Lines of at most <paramref name="width"/> points, broken at spaces (a word too long is cut); line feeds kept.</summary>
        private List<string> Wrap(string text, XFont font, double width)
        {
            var lines = new List<string>();
            foreach (var paragraph in (text ?? "").Replace("\r", "", StringComparison.Ordinal).Split('\n'))
            {
                var current = "";
                foreach (var word in paragraph.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    var candidate = current.Length == 0 ? word : $"{current} {word}";
                    if (_gfx.MeasureString(candidate, font).Width <= width)
                    {
                        current = candidate;
                        continue;
                    }

                    if (current.Length > 0)
                    {
                        lines.Add(current);
                    }

                    current = word;
                    while (current.Length > 1 && _gfx.MeasureString(current, font).Width > width)
                    {
                        var cut = current.Length - 1;
                        while (cut > 1 && _gfx.MeasureString(current[..cut], font).Width > width)
                        {
                            cut--;
                        }

                        lines.Add(current[..cut]);
                        current = current[cut..];
                    }
                }

                lines.Add(current);
            }

            return lines;
        }
    }
}
