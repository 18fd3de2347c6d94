using System.Buffers;
using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace RadAI.Dicom;

/// <summary>
/// A DICOM dataset: elements in tag order. Values are kept encoded (little endian, in the dataset
/// tree's shared arena, or slices of the caller's bytes for a dataset read from memory) and decoded
/// when asked, with the character set in force (this dataset's Specific Character Set, else its
/// parent's). Large values stay where they are (see <see cref="DicomBulkValue"/>). Typed access:
/// <c>GetX</c> throws, <c>TryGetX</c> returns false.
/// </summary>
public sealed partial class DicomDataset : IEnumerable<DicomElement>
{
    private DicomEntry[] _entries;
    private int _count;
    private DicomCharacterSet? _characterSet;

    // While a dataset is parsed and its elements arrive out of tag order (a defect the reader
    // tolerates), they are appended as they come and found through this hash index (slot → position
    // + 1, open addressing); CompleteParsing sorts them once at the end. Inserting each in place
    // costs O(n) per element: quadratic, a hang, for a hostile file listing its elements backwards.
    private int[]? _unsortedIndex;

    // While the reader fills a dataset, its elements go into a scratch array rented from the pool (a
    // larger one is rented when it fills up); EndParsing copies them once into an array of the exact
    // size and gives the scratch back. Doubling an owned array instead allocates about twice the final
    // size in arrays thrown away, and leaves the tail of the last one unused.
    private bool _entriesRented;

    /// <summary>Scratch arrays longer than this (1.5 MiB) are not given back to the pool: one huge dataset must not keep its memory held there.</summary>
    private const int MaxPooledEntries = 64 * 1024;

    /// <summary>An empty dataset.</summary>
    public DicomDataset()
        : this(new DicomValueArena(), parent: null, capacity: 16)
    {
    }

    internal DicomDataset(DicomValueArena arena, DicomDataset? parent, int capacity = 16)
    {
        Arena = arena;
        Parent = parent;
        _entries = capacity == 0 ? [] : new DicomEntry[capacity];
    }

    /// <summary>The dataset holding the sequence this dataset is an item of; null for a top-level dataset.</summary>
    public DicomDataset? Parent { get; internal set; }

    internal DicomValueArena Arena { get; }

    /// <summary>Number of elements (at this level; sequence items not counted).</summary>
    public int Count => _count;

    /// <summary>
    /// The character set for this dataset's text: its own Specific Character Set (0008,0005) if
    /// present, else the one of the dataset holding it, else the default repertoire.
    /// </summary>
    public DicomCharacterSet CharacterSet
    {
        get
        {
            if (_characterSet is not null)
            {
                return _characterSet;
            }

            var index = IndexOf(DicomTags.SpecificCharacterSet);
            _characterSet = index >= 0
                ? DicomCharacterSet.FromSpecificCharacterSet(_entries[index].Value.Span)
                : Parent?.CharacterSet ?? DicomCharacterSet.Default;
            return _characterSet;
        }
    }

    /// <summary>True when the dataset holds the element.</summary>
    public bool Contains(DicomTag tag) => IndexOf(tag) >= 0;

    /// <summary>The element with this tag.</summary>
    public bool TryGetElement(DicomTag tag, out DicomElement element)
    {
        var index = IndexOf(tag);
        element = index >= 0 ? new DicomElement(this, _entries[index]) : default;
        return index >= 0;
    }

    /// <summary>The element with this tag; <see cref="KeyNotFoundException"/> when absent.</summary>
    public DicomElement GetElement(DicomTag tag) =>
        TryGetElement(tag, out var element) ? element : throw Missing(tag);

    /// <summary>The VR of an element present in the dataset.</summary>
    public DicomVR GetVR(DicomTag tag) => GetElement(tag).VR;

    /// <summary>Removes an element; false when it was absent.</summary>
    public bool Remove(DicomTag tag)
    {
        CompleteParsing();
        var index = IndexOf(tag);
        if (index < 0)
        {
            return false;
        }

        Array.Copy(_entries, index + 1, _entries, index, _count - index - 1);
        _entries[--_count] = default;
        if (tag == DicomTags.SpecificCharacterSet)
        {
            InvalidateCharacterSet();
        }

        return true;
    }

    /// <summary>Removes every element matching <paramref name="predicate"/>; returns how many.</summary>
    public int RemoveAll(Func<DicomTag, bool> predicate)
    {
        CompleteParsing();
        var kept = 0;
        var removed = 0;
        for (var i = 0; i < _count; i++)
        {
            if (predicate(_entries[i].Tag))
            {
                removed++;
                continue;
            }

            _entries[kept++] = _entries[i];
        }

        Array.Clear(_entries, kept, _count - kept);
        _count = kept;
        InvalidateCharacterSet();
        return removed;
    }

    /// <summary>A copy of this dataset: elements, nested items and in-memory values are copied; bulk values are shared.</summary>
    public DicomDataset Clone() => CloneInto(new DicomValueArena(), Parent);

    private DicomDataset CloneInto(DicomValueArena arena, DicomDataset? parent)
    {
        CompleteParsing();
        var copy = new DicomDataset(arena, parent, Math.Max(_count, 1));
        for (var i = 0; i < _count; i++)
        {
            var entry = _entries[i];
            if (!entry.Value.IsEmpty)
            {
                entry.Value = arena.Append(entry.Value.Span);
            }

            if (entry.Payload is DicomSequence sequence)
            {
                var items = new DicomSequence { UndefinedLength = sequence.UndefinedLength };
                for (var j = 0; j < sequence.Count; j++)
                {
                    items.AddParsed(sequence[j].CloneInto(arena, copy), sequence.IsItemUndefinedLength(j));
                }

                entry.Payload = items;
            }

            copy._entries[copy._count++] = entry;
        }

        return copy;
    }

    public IEnumerator<DicomElement> GetEnumerator()
    {
        CompleteParsing();
        for (var i = 0; i < _count; i++)
        {
            yield return new DicomElement(this, _entries[i]);
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>The elements, without allocating an enumerator object per call.</summary>
    public ElementEnumerable Elements
    {
        get
        {
            CompleteParsing();
            return new(this);
        }
    }

    /// <summary>A struct enumerable over the elements (for hot paths: dump, JSON, writer).</summary>
    public readonly struct ElementEnumerable(DicomDataset dataset)
    {
        public ElementEnumerator GetEnumerator() => new(dataset);
    }

    /// <summary>Struct enumerator over the elements.</summary>
    public struct ElementEnumerator(DicomDataset dataset)
    {
        private int _index = -1;

        public readonly DicomElement Current => new(dataset, dataset._entries[_index]);

        public bool MoveNext() => ++_index < dataset._count;
    }

    internal ReadOnlySpan<DicomEntry> Entries
    {
        get
        {
            CompleteParsing();
            return _entries.AsSpan(0, _count);
        }
    }

    /// <summary>The element's position, or the bitwise complement of where it would be inserted (-1 while parsing out of order).</summary>
    internal int IndexOf(DicomTag tag)
    {
        if (_unsortedIndex is not null)
        {
            return FindUnsorted(tag.Value);
        }

        // Elements are kept sorted: binary search.
        int lo = 0, hi = _count - 1;
        var value = tag.Value;
        while (lo <= hi)
        {
            var mid = (int)((uint)(lo + hi) >> 1);
            var probe = _entries[mid].Tag.Value;
            if (probe == value)
            {
                return mid;
            }

            if (probe < value)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return ~lo;
    }

    internal bool TryGetEntry(DicomTag tag, [MaybeNullWhen(false)] out DicomEntry entry)
    {
        var index = IndexOf(tag);
        if (index < 0)
        {
            entry = default;
            return false;
        }

        entry = _entries[index];
        return true;
    }

    /// <summary>
    /// Adds an element read from a stream. Streams normally list tags in increasing order (append);
    /// a repeated tag replaces the earlier one and an out-of-order tag is kept in the order of arrival
    /// until <see cref="CompleteParsing"/> sorts the dataset — both are reported by the reader as
    /// warnings. Constant time per element whatever the order. Returns false when the tag was already present.
    /// </summary>
    internal bool AddParsed(in DicomEntry entry)
    {
        if (_count == _entries.Length)
        {
            GrowScratch();
        }

        if (_unsortedIndex is null && (_count == 0 || _entries[_count - 1].Tag.Value < entry.Tag.Value))
        {
            Append(entry);
            return true;
        }

        var existing = IndexOf(entry.Tag);
        if (existing >= 0)
        {
            Replace(existing, entry);
            return false;
        }

        if (_unsortedIndex is null)
        {
            // The first element out of order: from now on, append and index.
            BuildUnsortedIndex(_count + 1);
        }

        Append(entry);
        if (_count * 4 > _unsortedIndex!.Length * 3)
        {
            BuildUnsortedIndex(_count);
        }
        else
        {
            IndexUnsorted(_count - 1);
        }

        return true;
    }

    /// <summary>Ends the parsing of this dataset: elements that arrived out of order are sorted into place.</summary>
    internal void CompleteParsing()
    {
        if (_unsortedIndex is null)
        {
            return;
        }

        // No tag is there twice (AddParsed replaced repeats), so an unstable sort is exact.
        _entries.AsSpan(0, _count).Sort(static (a, b) => a.Tag.Value.CompareTo(b.Tag.Value));
        _unsortedIndex = null;
    }

    /// <summary>
    /// The reader is done with this dataset: elements that arrived out of order are sorted, and the
    /// scratch array they were collected in is replaced by one of the exact size.
    /// </summary>
    internal void EndParsing()
    {
        CompleteParsing();
        if (!_entriesRented)
        {
            return;
        }

        var scratch = _entries;
        _entries = _count == 0 ? [] : scratch.AsSpan(0, _count).ToArray();
        _entriesRented = false;
        ReturnScratch(scratch, _count);
    }

    /// <summary>A larger scratch array from the pool, for the reader (see <see cref="EndParsing"/>).</summary>
    private void GrowScratch()
    {
        var larger = ArrayPool<DicomEntry>.Shared.Rent(Math.Max(16, _count * 2));
        _entries.AsSpan(0, _count).CopyTo(larger);
        if (_entriesRented)
        {
            ReturnScratch(_entries, _count);
        }

        _entries = larger;
        _entriesRented = true;
    }

    private static void ReturnScratch(DicomEntry[] scratch, int used)
    {
        if (scratch.Length <= MaxPooledEntries)
        {
            // Only the used part holds references (values, items) that the pool must not keep alive.
            Array.Clear(scratch, 0, used);
            ArrayPool<DicomEntry>.Shared.Return(scratch);
        }
    }

    /// <summary>Adds or replaces an element; returns false when it replaced one.</summary>
    internal bool Put(in DicomEntry entry)
    {
        CompleteParsing();
        var index = IndexOf(entry.Tag);
        if (index >= 0)
        {
            Replace(index, entry);
            return false;
        }

        index = ~index;
        if (_count == _entries.Length)
        {
            Grow();
        }

        Array.Copy(_entries, index, _entries, index + 1, _count - index);
        _count++;
        _entries[index] = entry;
        if (entry.Tag == DicomTags.SpecificCharacterSet)
        {
            InvalidateCharacterSet();
        }

        SetParentOfItems(entry);
        return true;
    }

    private void Append(in DicomEntry entry)
    {
        if (_count == _entries.Length)
        {
            Grow();
        }

        _entries[_count++] = entry;
        if (entry.Tag == DicomTags.SpecificCharacterSet)
        {
            _characterSet = null;
        }
    }

    /// <summary>Doubles the storage; an item starts with none (a sequence may hold many tiny items) and grows from 4.</summary>
    private void Grow()
    {
        if (_entriesRented)
        {
            GrowScratch();
            return;
        }

        Array.Resize(ref _entries, Math.Max(4, _count * 2));
    }

    private void Replace(int index, in DicomEntry entry)
    {
        _entries[index] = entry;
        if (entry.Tag == DicomTags.SpecificCharacterSet)
        {
            InvalidateCharacterSet();
        }

        SetParentOfItems(entry);
    }

    private void SetParentOfItems(in DicomEntry entry)
    {
        if (entry.Payload is DicomSequence sequence)
        {
            foreach (var item in sequence)
            {
                item.Parent = this;
            }
        }
    }

    /// <summary>A fresh index of the first <paramref name="count"/> elements, at most half full.</summary>
    private void BuildUnsortedIndex(int count)
    {
        var size = 16;
        while (size < count * 2)
        {
            size *= 2;
        }

        _unsortedIndex = new int[size];
        for (var i = 0; i < Math.Min(count, _count); i++)
        {
            IndexUnsorted(i);
        }
    }

    private void IndexUnsorted(int position)
    {
        var index = _unsortedIndex!;
        var mask = index.Length - 1;
        var slot = Slot(_entries[position].Tag.Value) & mask;
        while (index[slot] != 0)
        {
            slot = (slot + 1) & mask;
        }

        index[slot] = position + 1;
    }

    private int FindUnsorted(uint tag)
    {
        var index = _unsortedIndex!;
        var mask = index.Length - 1;
        for (var slot = Slot(tag) & mask; index[slot] != 0; slot = (slot + 1) & mask)
        {
            if (_entries[index[slot] - 1].Tag.Value == tag)
            {
                return index[slot] - 1;
            }
        }

        return -1;
    }

    // HashCode is seeded per process: a file cannot be made of tags that all collide.
    private static int Slot(uint tag) => HashCode.Combine(tag) & int.MaxValue;

    private void InvalidateCharacterSet()
    {
        _characterSet = null;
        for (var i = 0; i < _count; i++)
        {
            if (_entries[i].Payload is DicomSequence sequence)
            {
                foreach (var item in sequence)
                {
                    item.InvalidateCharacterSet();
                }
            }
        }
    }

    internal static KeyNotFoundException Missing(DicomTag tag) =>
        new($"The dataset has no element {tag} {DicomDictionary.GetKeyword(tag) ?? DicomDictionary.GetName(tag)}.");
}
