namespace RadAI.Dicom;

/// <summary>The items of a sequence element (SQ). Items know the dataset that holds the sequence (for the character set).</summary>
public sealed class DicomSequence : IReadOnlyList<DicomDataset>
{
    private readonly List<DicomDataset> _items = [];

    /// <summary>An empty sequence.</summary>
    public DicomSequence()
    {
    }

    /// <summary>A sequence of the given items.</summary>
    public DicomSequence(IEnumerable<DicomDataset> items) => _items.AddRange(items);

    /// <summary>True when the source encoded the sequence with undefined length (the writer keeps it).</summary>
    public bool UndefinedLength { get; set; } = true;

    /// <summary>Per item, true when the source encoded it with undefined length.</summary>
    internal List<bool> ItemUndefinedLength { get; } = [];

    public int Count => _items.Count;

    public DicomDataset this[int index] => _items[index];

    /// <summary>Appends an item.</summary>
    public void Add(DicomDataset item)
    {
        _items.Add(item);
        ItemUndefinedLength.Add(true);
    }

    internal void AddParsed(DicomDataset item, bool undefinedLength)
    {
        _items.Add(item);
        ItemUndefinedLength.Add(undefinedLength);
    }

    internal bool IsItemUndefinedLength(int index) => index < ItemUndefinedLength.Count ? ItemUndefinedLength[index] : true;

    public IEnumerator<DicomDataset> GetEnumerator() => _items.GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
