namespace RadAI.Dicom;

/// <summary>The items of a sequence element (SQ). Items know the dataset that holds the sequence (for the character set).</summary>
public sealed class DicomSequence : IReadOnlyList<DicomDataset>
{
    // One list for the items and how each was encoded: a parsed sequence costs one list, not two.
    private readonly List<ItemEntry> _items = [];

    /// <summary>An empty sequence.</summary>
    public DicomSequence()
    {
    }

    /// <summary>A sequence of the given items.</summary>
    public DicomSequence(IEnumerable<DicomDataset> items)
    {
        foreach (var item in items)
        {
            Add(item);
        }
    }

    /// <summary>True when the source encoded the sequence with undefined length (the writer keeps it).</summary>
    public bool UndefinedLength { get; set; } = true;

    public int Count => _items.Count;

    public DicomDataset this[int index] => _items[index].Dataset;

    /// <summary>Appends an item.</summary>
    public void Add(DicomDataset item) => _items.Add(new ItemEntry(item, UndefinedLength: true));

    internal void AddParsed(DicomDataset item, bool undefinedLength) => _items.Add(new ItemEntry(item, undefinedLength));

    /// <summary>True when the source encoded item <paramref name="index"/> with undefined length (and for items added in code).</summary>
    internal bool IsItemUndefinedLength(int index) => (uint)index >= (uint)_items.Count || _items[index].UndefinedLength;

    public IEnumerator<DicomDataset> GetEnumerator()
    {
        foreach (var item in _items)
        {
            yield return item.Dataset;
        }
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    private readonly record struct ItemEntry(DicomDataset Dataset, bool UndefinedLength);
}
