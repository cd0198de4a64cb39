using System.Text.Json.Nodes;
using Amber.Core.Json;
using Amber.Storage.Catalogue;
using Amber.Storage.Commits;
using Amber.Storage.FileSystem;
using Amber.Storage.Format;
using Amber.Storage.Index;
using Amber.Storage.Segments;

namespace Amber.Storage;

/// <summary>
/// The embedded archive: one folder of append-only segment files, external blob files and a SQLite
/// index that can always be rebuilt from the segments. One process writes (it holds amber.lock);
/// others may read at the same time.
/// </summary>
/// <remarks>
/// A façade over three components, each with one job: the <see cref="SegmentStore"/> (the files: segments, frames,
/// dictionaries, blobs; <see cref="SegmentRecovery"/> cuts a torn tail on open), the <see cref="CommitPipeline"/> (the
/// single writer: prepare → compress → append → fsync → acknowledge → log, then the hand-off to the indexer; its
/// write-path policy is stated there) and the <see cref="ArchiveCatalogue"/> (every index read and write, with the
/// acknowledged view and the indexed view). The archive opens, creates and upgrades, and delegates.
/// </remarks>
public sealed partial class Archive : IDisposable, IAsyncDisposable
{
    /// <summary>The archive format this build writes: 3 since commit frames are packed (record-frame.md §10).</summary>
    public const int FormatVersion = 3;

    /// <summary>The oldest archive format this build opens; a writer upgrades a format-2 manifest on open.</summary>
    public const int OldestFormatVersion = 2;
    private readonly ArchiveOptions options;
    private readonly ArchivePaths paths;
    private readonly IFileSystem fs;
    private SegmentStore segments;
    private ArchiveCatalogue catalogue = null!;
    private FileStream? lockStream;

    /// <summary>A read-only process's shared lock that keeps compactions from swapping segments under its reads.</summary>
    private FileStream? readerLock;
    private CommitPipeline? writer;

    /// <summary>
    /// Where the data ended at open, when this process holds the writer lock but not the signing key (a shard restored
    /// from a cluster's object store): it keeps index.db up to date but commits nothing.
    /// </summary>
    private SegmentState? keylessState;

    private Archive(ArchiveOptions options)
        : this(options, new SemaphoreSlim(1, 1), new ReaderWriterLockSlim(LockRecursionPolicy.SupportsRecursion), lockStream: null)
    {
    }

    /// <summary>An archive sharing <paramref name="writeGate"/>, <paramref name="swapLock"/> and the writer lock of another (a writer reopened in place).</summary>
    private Archive(ArchiveOptions options, SemaphoreSlim writeGate, ReaderWriterLockSlim swapLock, FileStream? lockStream)
    {
        this.options = options;
        WriteGate = writeGate;
        this.swapLock = swapLock;
        this.lockStream = lockStream;
        segments = new SegmentStore(options);
        paths = segments.Paths;
        fs = options.FileSystem;
        // A reader loads the dictionaries a writer process trained after it opened when it first meets one.
        segments.DictionaryMissing = () =>
        {
            if (IsReadOnly)
            {
                catalogue.LoadDictionaries();
            }
        };
    }

    /// <summary>The log origin used when none is configured: names this archive uniquely.</summary>
    public static string DefaultLogOrigin(string archiveIdHex) => $"amber.archive/{archiveIdHex[..16]}";

    /// <summary>The transparency log over this archive's commits.</summary>
    public Amber.Storage.Log.ArchiveLog Log { get; private set; } = null!;

    /// <summary>The archive's 16-byte random id, as hex.</summary>
    public string ArchiveId { get; private set; } = "";

    /// <summary>The format <c>archive.json</c> states (after a writer's upgrade, <see cref="FormatVersion"/>): verify checks the frames against it.</summary>
    internal int ManifestVersion { get; private set; }

    public string Directory => options.Directory;

    public bool IsReadOnly => writer is null;

    /// <summary>
    /// Why this process's writer refuses every commit now — a write, fsync or index update failed (a full disk), so
    /// the tail's state is unknown until the archive is reopened, which recovers it — or null while it takes commits.
    /// </summary>
    public Exception? WriterFailure => writer?.Failure;

    public RecoveryReport Recovery { get; private set; } = new();

    /// <summary>Opened to verify: why its index cannot be audited (and whether that is damage), or null.</summary>
    internal (string Message, bool Damaged)? IndexProblem => indexProblem?.Value;

    private Lazy<(string Message, bool Damaged)?>? indexProblem;

    /// <summary>Opened to verify: whether index.db-wal was there already (verify then leaves it as it is at close).</summary>
    private bool indexWalBeforeVerify;

    private Amber.Storage.Log.LoggedAnnotations LoggedAnnotations => field ??= new Amber.Storage.Log.LoggedAnnotations(this);

    /// <summary>
    /// How far the index is behind the acknowledged commits, measured now and without waiting for it. A process that
    /// writes sees its own commits in its next index read (that read waits for them); a read-only process never waits
    /// for another process's indexer, and this is how it tells how much its index reads miss.
    /// </summary>
    public Amber.Storage.Reading.IndexLag GetIndexLag() => IndexLagProbe.Measure(this, holdsWriter: writer is not null);

    /// <summary>Makes a batch durable: it is acknowledged (the task completes) only after fsync.</summary>
    public Task<CommitResult> CommitAsync(CommitBatch batch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var w = writer ?? throw new InvalidOperationException(keylessState is null
            ? $"The archive at {options.Directory} is open read-only (another process holds the writer lock)."
            : $"The archive at {options.Directory} is open read-only: log/signing.key is missing (log/vkey suffices to read and verify; committing needs the signing key).");
        if (w.Failure is not null && TryRecoverWriter())
        {
            w = writer!;
        }

        return w.Enqueue(batch, cancellationToken);
    }

    /// <summary>Signs a checkpoint over every commit acknowledged so far now, rather than at the next interval.</summary>
    public Task EnsureCheckpointAsync() => writer?.EnsureCheckpoint() ?? Task.CompletedTask;

    /// <summary>Commits synchronously (CLI and tests).</summary>
    public CommitResult Commit(CommitBatch batch) => CommitAsync(batch).GetAwaiter().GetResult();

    /// <summary>Drops the index and rebuilds it from the segments alone.</summary>
    public RecoveryReport RebuildIndex() => RebuildIndex(progress: null);

    /// <summary>Drops the index and rebuilds it from the segments alone.</summary>
    /// <param name="progress">Told the frames and segment bytes indexed so far, of all the segments' bytes; last with the whole total.</param>
    public RecoveryReport RebuildIndex(IProgress<ScanProgress>? progress) => HoldingWriter("Rebuilding the index", state => catalogue.Rebuild(state, progress));

    /// <summary>True when the folder holds an archive (its manifest exists).</summary>
    public static bool Exists(string directory, IFileSystem? fileSystem = null)
        => (fileSystem ?? LocalFileSystem.Instance).FileExists(new ArchivePaths(directory).Manifest);

    /// <summary>Creates a new, empty archive. Fails if the folder already holds one.</summary>
    public static Archive Init(ArchiveOptions options)
    {
        ArchiveManifest.Create(options);
        return Open(options);
    }

    /// <summary>Opens an archive, recovering it first (cutting a torn tail, catching the index up) unless read-only.</summary>
    public static Archive Open(ArchiveOptions options)
    {
        var paths = new ArchivePaths(options.Directory);
        var fs = options.FileSystem;
        if (!fs.FileExists(paths.Manifest))
        {
            if (options.CreateIfMissing && !options.ReadOnly)
            {
                return Init(options with { CreateIfMissing = false });
            }

            throw new DirectoryNotFoundException($"No Amber archive at {options.Directory} (run `amber init`).");
        }

        var archive = new Archive(options);
        try
        {
            archive.OpenCore();
            return archive;
        }
        catch (Exception opening)
        {
            try
            {
                archive.Dispose();
            }
            catch (Exception closing) when (closing is not OutOfMemoryException)
            {
                // What stopped the open is the error to report; closing the half-open parts of a damaged archive may
                // fail too (Dispose releases the locks whatever fails).
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(opening).Throw();
            }

            throw;
        }
    }

    private void OpenCore()
    {
        var (manifest, version, archiveId) = ArchiveManifest.Read(segments, paths);
        ArchiveId = archiveId;
        ManifestVersion = version;
        if (options.Verifying)
        {
            OpenToVerify(manifest);
            return;
        }

        var readOnly = options.ReadOnly || !TryTakeLock();
        if (readOnly)
        {
            readerLock = Segments.ReaderPresence.Share(fs, paths);
        }
        segments.ContentKeys = ArchiveEncryption.Open(manifest, options, paths, ArchiveId);

        var signingKeyMissing = false;
        if (!readOnly && fs.FileExists(Amber.Storage.Log.LogKeys.VerifierKeyPath(options.Directory)) && !fs.FileExists(Amber.Storage.Log.LogKeys.SigningKeyPath(options.Directory)))
        {
            // Without the signing key no checkpoint can be signed, so nothing may be committed: read-only.
            readOnly = true;
            signingKeyMissing = true;
            options.Log?.Invoke("log/signing.key is missing: the archive is open read-only until it is restored");
        }

        var actions = new List<string>();
        ManifestVersion = readOnly ? version : ArchiveManifest.Upgrade(fs, paths, manifest, version, actions);

        if (!readOnly && fs is LocalFileSystem && OwnerOnly.IsShared(options.Directory) && OwnerOnly.Tighten(options.Directory))
        {
            actions.Add($"made {options.Directory} and everything in it readable by its owner only (it was open to other users)");
        }

        var state = SegmentRecovery.Recover(segments, ArchiveId, readOnly, actions, out var torn);
        catalogue = new ArchiveCatalogue(segments, ArchiveId);
        var indexPath = options.IndexPath ?? paths.DefaultIndex;
        var rebuilt = false;
        var indexed = 0;
        if (signingKeyMissing)
        {
            // The index is derived from the segments and needs no key: a process holding the writer lock builds or
            // catches it up (a shard restored from the object store has none), and commits nothing.
            ArchiveIndex.ThrowIfLeftUnsyncedByAnotherBoot(indexPath, "restore log/signing.key, then open the archive for writing to rebuild it");
            (rebuilt, indexed) = catalogue.OpenWriter(indexPath, state, actions);
            keylessState = state;
        }
        else if (readOnly)
        {
            catalogue.OpenReader(indexPath, signingKeyMissing);
        }
        else
        {
            (rebuilt, indexed) = catalogue.OpenWriter(indexPath, state, actions);
        }

        (Log, var mayWrite, var logRebuilt) = Amber.Storage.Log.ArchiveLogOpener.Open(this, catalogue, state, readOnly, actions);
        rebuilt |= logRebuilt;
        if (mayWrite && !readOnly)
        {
            writer = new CommitPipeline(segments, catalogue, Log, WriteGate, state);
        }

        Recovery = new RecoveryReport { Actions = actions, TornBytesCut = torn, IndexRebuilt = rebuilt, FramesIndexed = indexed };
        foreach (var a in actions)
        {
            options.Log?.Invoke(a);
        }
    }

    /// <summary>
    /// The open of <c>verify</c> (<see cref="ArchiveOptions.Verifying"/>): no writer lock, no recovery scan, no log check
    /// against the index, no index work; only the shared <c>readers.lock</c> that keeps a compaction from swapping a
    /// segment under its reads. The verifier scans and checks all of it itself, and reports what a writer would repair.
    /// </summary>
    private void OpenToVerify(JsonObject manifest)
    {
        readerLock = Segments.ReaderPresence.Share(fs, paths);
        segments.ContentKeys = ArchiveEncryption.Open(manifest, options, paths, ArchiveId);
        catalogue = new ArchiveCatalogue(segments, ArchiveId);
        var indexPath = options.IndexPath ?? paths.DefaultIndex;
        indexWalBeforeVerify = File.Exists(indexPath + "-wal");
        catalogue.OpenForVerify(indexPath);
        // Read only if verify audits the index: a steady-state verify (index memoised) opens no SQLite connection at all.
        indexProblem = new(() => catalogue.CheckForVerify(out var damaged) is { } problem ? (problem, damaged) : null);
        if (!fs.FileExists(Amber.Storage.Log.LogKeys.VerifierKeyPath(options.Directory)))
        {
            throw new CorruptArchiveException($"{options.Directory}: log/vkey is missing.");
        }

        var (signer, vkey) = Amber.Storage.Log.LogKeys.Load(fs, options.Directory, segments.ReadAll);
        signer?.Dispose();
        Log = new Amber.Storage.Log.ArchiveLog(vkey.Name, vkey, null, new Amber.Transparency.Merkle.MerkleTree(), null);
    }

    /// <summary>In a read-only process, takes in the log entries and checkpoint another process's writer has added since.</summary>
    public void RefreshLog()
    {
        if (!IsReadOnly)
        {
            return;
        }

        // The checkpoint first, then the leaves: the leaves read are then at least as many as it covers.
        var note = catalogue.LatestCheckpointNote();
        Log.AppendLeafHashes(catalogue.Index.LeafHashes(Log.Size + 1));
        if (note is not null)
        {
            Log.AcceptCheckpoint(Amber.Transparency.Notes.SignedNote.Parse(note));
        }
    }

    private bool TryTakeLock()
    {
        if (fs is not LocalFileSystem || lockStream is not null)
        {
            return true; // in-process file systems have a single owner; a writer reopened in place already holds the lock
        }

        try
        {
            lockStream = new FileStream(paths.Lock, OwnerOnly.Create(FileMode.OpenOrCreate, FileAccess.ReadWrite));
            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        try
        {
            writer?.Dispose();
            writer = null;
            segments.Dispose();
            Log?.Dispose();
            catalogue?.Dispose();
            if (options.Verifying && catalogue is not null)
            {
                Verification.VerifyIndexClose.Close(catalogue.Index.Path, indexWalBeforeVerify);
            }

            WriteGate.Dispose();
            swapLock.Dispose();
        }
        finally
        {
            // Whatever failed above (an index too damaged to close), the locks go: a long-lived host must not keep
            // every later writer of this archive read-only.
            lockStream?.Dispose();
            readerLock?.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (writer is not null)
        {
            await writer.DisposeAsync().ConfigureAwait(false);
            writer = null;
        }

        Dispose();
    }
}
