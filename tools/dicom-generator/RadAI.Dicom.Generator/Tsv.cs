namespace RadAI.Dicom.Generator;

/// <summary>
/// A tab-separated table with one header row (UTF-8, <c>\n</c> or <c>\r\n</c> line endings).
/// Every row must have exactly as many fields as the header; anything else is an error.
/// </summary>
internal sealed class TsvTable
{
    private readonly Dictionary<string, int> _columns;

    private TsvTable(string fileName, string[] header, List<TsvRow> rows)
    {
        FileName = fileName;
        Header = header;
        Rows = rows;
        _columns = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < header.Length; i++)
        {
            if (!_columns.TryAdd(header[i], i))
            {
                throw new GeneratorException($"{fileName}: column '{header[i]}' appears twice in the header.");
            }
        }

        foreach (var row in rows)
        {
            row.Table = this;
        }
    }

    public string FileName { get; }

    public IReadOnlyList<string> Header { get; }

    public IReadOnlyList<TsvRow> Rows { get; }

    public static TsvTable Read(string path, params string[] requiredColumns)
    {
        var fileName = Path.GetFileName(path);
        if (!File.Exists(path))
        {
            throw new GeneratorException($"Table not found: {path}");
        }

        var text = File.ReadAllText(path, new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true));
        if (text.Length > 0 && text[0] == '\uFEFF')
        {
            text = text[1..];
        }

        var lines = text.Split('\n');
        if (lines.Length == 0 || lines[0].TrimEnd('\r').Length == 0)
        {
            throw new GeneratorException($"{fileName}: no header row.");
        }

        var header = lines[0].TrimEnd('\r').Split('\t');
        var rows = new List<TsvRow>();
        for (var i = 1; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            if (line.Length == 0)
            {
                if (i == lines.Length - 1)
                {
                    continue; // final newline
                }

                throw new GeneratorException($"{fileName}:{i + 1}: empty line.");
            }

            var fields = line.Split('\t');
            if (fields.Length != header.Length)
            {
                throw new GeneratorException($"{fileName}:{i + 1}: {fields.Length} fields, the header has {header.Length}.");
            }

            rows.Add(new TsvRow(i + 1, fields));
        }

        var table = new TsvTable(fileName, header, rows);
        foreach (var column in requiredColumns)
        {
            if (!table._columns.ContainsKey(column))
            {
                throw new GeneratorException($"{fileName}: column '{column}' is missing (header: {string.Join(", ", header)}).");
            }
        }

        return table;
    }

    public int ColumnIndex(string column) =>
        _columns.TryGetValue(column, out var index) ? index : throw new GeneratorException($"{FileName}: no column '{column}'.");
}

/// <summary>One data row of a <see cref="TsvTable"/>.</summary>
internal sealed class TsvRow(int lineNumber, string[] fields)
{
    private readonly string[] _fields = fields;

    /// <summary>Line number in the file (the header is line 1).</summary>
    public int LineNumber { get; } = lineNumber;

    public TsvTable Table { get; set; } = null!;

    public string this[string column] => _fields[Table.ColumnIndex(column)];

    /// <summary>"file:line", for messages.</summary>
    public string Where => $"{Table.FileName}:{LineNumber}";

    /// <summary>A Y/N column as a boolean; anything else is an error.</summary>
    public bool YesNo(string column) => this[column] switch
    {
        "Y" => true,
        "N" => false,
        var other => throw new GeneratorException($"{Where}: column '{column}' is '{other}', expected Y or N."),
    };

    public GeneratorException Error(string message) => new($"{Where}: {message}");
}

/// <summary>Bad input: the generator stops and prints the message.</summary>
internal sealed class GeneratorException(string message) : Exception(message);
