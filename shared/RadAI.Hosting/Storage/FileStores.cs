using Microsoft.Extensions.Options;
using RadAI.Contracts;
using RadAI.Dicom.IO;

namespace RadAI.Hosting.Storage;

/// <summary>Names of the shared stores.</summary>
public static class StoreNames
{
    /// <summary>Received DICOM instances.</summary>
    public const string Instances = "instances";

    /// <summary>Model outputs: findings and masks.</summary>
    public const string Results = "results";

    /// <summary>Generated SR, SEG, PDF and key images.</summary>
    public const string Reports = "reports";
}

/// <summary>
/// Turns storage references into paths and back, refusing anything that would leave the store; writes and reads
/// store files, encrypting them at rest when <see cref="StorageEncryptionOptions"/> covers their store.
/// </summary>
public sealed class FileStores(IOptions<StorageOptions> options)
{
    private readonly Lazy<AtRestKeyRing> _keys = new(() => AtRestKeyRing.Load(options.Value.Encryption));

    /// <summary>The folder of a store.</summary>
    public string RootOf(string store) => Path.GetFullPath(Path.Combine(options.Value.Root, store));

    /// <summary>The absolute path of a reference.</summary>
    public string PathOf(StorageReference reference)
    {
        var root = RootOf(reference.Store);
        var path = Path.GetFullPath(Path.Combine(root, reference.Key.Replace('/', Path.DirectorySeparatorChar)));
        if (path != root && !path.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new ArgumentException($"Storage key '{reference.Key}' leaves the {reference.Store} store.", nameof(reference));
        }

        return path;
    }

    /// <summary>The reference of a path inside a store.</summary>
    public StorageReference ReferenceOf(string store, string path)
    {
        var relative = Path.GetRelativePath(RootOf(store), Path.GetFullPath(path));
        if (relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative))
        {
            throw new ArgumentException($"{path} is not inside the {store} store.", nameof(path));
        }

        return new StorageReference(store, relative.Replace(Path.DirectorySeparatorChar, '/'));
    }

    /// <summary>Whether new files at <paramref name="path"/> are written encrypted (its store is covered and encryption is on).</summary>
    public bool EncryptsAt(string path)
    {
        var encryption = options.Value.Encryption;
        if (!encryption.Enabled)
        {
            return false;
        }

        var full = Path.GetFullPath(path);
        return encryption.CoveredStores.Any(store => full.StartsWith(RootOf(store) + Path.DirectorySeparatorChar, StringComparison.Ordinal));
    }

    /// <summary>
    /// For a writer that manages its own file (dicom-ingest's received instances: written as they arrive, then renamed and
    /// fsync'd into place): the stream that seals what is written to it into <paramref name="file"/> when <paramref name="path"/>
    /// (the final place: the store decides) is encrypted, or null when it is written plain. The writer must call
    /// <see cref="EncryptingStream.CompleteAsync"/> before closing the file; the stream leaves <paramref name="file"/> open.
    /// </summary>
    public EncryptingStream? SealingStreamFor(string path, Stream file)
    {
        if (!EncryptsAt(path))
        {
            return null;
        }

        var keys = _keys.Value;
        var keyId = keys.ActiveKeyId!;
        return new EncryptingStream(file, keyId, keys.KeyOf(keyId, path));
    }

    /// <summary>
    /// Writes <paramref name="path"/> durably (<see cref="DurableFile.WriteAsync"/>), sealed with the active key when its
    /// store is encrypted: <paramref name="write"/> writes plaintext either way.
    /// </summary>
    public Task WriteAsync(string path, Func<Stream, CancellationToken, Task> write, bool fsync = true, CancellationToken cancellationToken = default)
    {
        if (!EncryptsAt(path))
        {
            return DurableFile.WriteAsync(path, write, fsync, cancellationToken);
        }

        var keys = _keys.Value;
        var keyId = keys.ActiveKeyId!;
        var key = keys.KeyOf(keyId, path);
        return DurableFile.WriteAsync(path, async (file, ct) =>
        {
            await using var sealing = new EncryptingStream(file, keyId, key);
            await write(sealing, ct).ConfigureAwait(false);
            await sealing.CompleteAsync(ct).ConfigureAwait(false);
        }, fsync, cancellationToken);
    }

    /// <summary>
    /// Opens a store file for reading its plaintext: an encrypted file (it starts with <see cref="EncryptedFileFormat.Magic"/>)
    /// is decrypted as it is read with the key its header names, any other file is read as it is (files written before
    /// encryption was turned on stay readable). Whether encryption is on now does not matter.
    /// </summary>
    /// <exception cref="InvalidDataException">An encrypted file whose key is not configured (the message names it) or whose header is damaged.</exception>
    public async Task<Stream> OpenReadAsync(string path, CancellationToken cancellationToken = default)
    {
        var file = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.Open,
            Access = FileAccess.Read,
            Share = FileShare.Read | FileShare.Delete,
            Options = FileOptions.Asynchronous | FileOptions.SequentialScan,
        });
        try
        {
            var magic = new byte[EncryptedFileFormat.Magic.Length];
            var read = await file.ReadAtLeastAsync(magic, magic.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
            file.Position = 0;
            if (read < magic.Length || !magic.AsSpan().SequenceEqual(EncryptedFileFormat.Magic))
            {
                return file;
            }

            return await DecryptingStream.OpenAsync(file, path, _keys.Value, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await file.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Synchronous <see cref="OpenReadAsync"/>, for readers whose API is synchronous (a DICOM value read lazily). The stream
    /// seeks: over an encrypted file, only the chunks holding what is read are decrypted.
    /// </summary>
    /// <exception cref="InvalidDataException">An encrypted file whose key is not configured (the message names it) or whose header is damaged.</exception>
    public Stream OpenRead(string path)
    {
        var file = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.Open,
            Access = FileAccess.Read,
            Share = FileShare.Read | FileShare.Delete,
        });
        try
        {
            var magic = new byte[EncryptedFileFormat.Magic.Length];
            var read = file.ReadAtLeast(magic, magic.Length, throwOnEndOfStream: false);
            file.Position = 0;
            return read < magic.Length || !magic.AsSpan().SequenceEqual(EncryptedFileFormat.Magic)
                ? file
                : DecryptingStream.Open(file, path, _keys.Value);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A stored DICOM file for <see cref="DicomFile.OpenAsync(DicomFileSource, DicomReadOptions?, CancellationToken)"/> and
    /// <see cref="RadAI.Dicom.Network.DicomSender"/>: read plain or decrypted, whichever it is on disk (decided each time it is
    /// opened), with large values read lazily from it (by seeking, chunk by chunk when encrypted).
    /// </summary>
    public DicomFileSource DicomSourceOf(string path) => new StoreDicomFile(this, path);

    private sealed class StoreDicomFile(FileStores stores, string path) : DicomFileSource(path)
    {
        public override Stream OpenRead() => stores.OpenRead(Path);

        public override async ValueTask<Stream> OpenReadAsync(CancellationToken cancellationToken = default) =>
            await stores.OpenReadAsync(Path, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads a whole store file's plaintext (for files a reader needs in memory anyway, e.g. one DICOM instance).</summary>
    public async Task<byte[]> ReadAllBytesAsync(string path, CancellationToken cancellationToken = default)
    {
        await using var stream = await OpenReadAsync(path, cancellationToken).ConfigureAwait(false);
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        return buffer.ToArray();
    }
}
