using Amber.Storage;
using Amber.Storage.FileSystem;
using Microsoft.Extensions.Time.Testing;

namespace Amber.Testing;

/// <summary>The file systems every storage test runs over.</summary>
public enum FileSystemKind
{
    Local,
    InMemory,
    FaultInjecting,
}

/// <summary>An archive location over one kind of file system, with a fixed clock and seeded randomness.</summary>
public sealed class TestArchives : IDisposable
{
    private readonly TempDirectory temp = new("amber-archive");

    public TestArchives(FileSystemKind kind)
    {
        Kind = kind;
        Memory = kind == FileSystemKind.Local ? null : new InMemoryFileSystem();
        Faults = kind == FileSystemKind.FaultInjecting ? new FaultInjectingFileSystem(Memory!) : null;
        FileSystem = Faults ?? (IFileSystem?)Memory ?? LocalFileSystem.Instance;
        Directory = kind == FileSystemKind.Local ? temp.Combine("archive") : "/mem/archive";
        Clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero));
    }

    public static TheoryDataKinds AllKinds => [FileSystemKind.Local, FileSystemKind.InMemory, FileSystemKind.FaultInjecting];

    public FileSystemKind Kind { get; }

    public InMemoryFileSystem? Memory { get; }

    public FaultInjectingFileSystem? Faults { get; }

    public IFileSystem FileSystem { get; }

    public string Directory { get; }

    public FakeTimeProvider Clock { get; }

    public string IndexPath => temp.Combine("index.db");

    public ArchiveOptions Options(Func<ArchiveOptions, ArchiveOptions>? configure = null)
    {
        var seed = new Random(42);
        var o = new ArchiveOptions
        {
            Directory = Directory,
            FileSystem = FileSystem,
            TimeProvider = Clock,
            Random = b => seed.NextBytes(b),
            IndexPath = IndexPath,
            CompressionLevel = 3,
        };
        return configure is null ? o : configure(o);
    }

    public Archive Init(Func<ArchiveOptions, ArchiveOptions>? configure = null) => Archive.Init(Options(configure));

    public Archive Open(Func<ArchiveOptions, ArchiveOptions>? configure = null) => Archive.Open(Options(configure));

    public byte[] ReadFile(string path) => Memory?.ReadAllBytes(path) ?? File.ReadAllBytes(path);

    public void WriteFile(string path, byte[] bytes)
    {
        if (Memory is not null)
        {
            Memory.WriteAllBytes(path, bytes);
        }
        else
        {
            File.WriteAllBytes(path, bytes);
        }
    }

    public string SegmentPath(uint n) => System.IO.Path.Combine(Directory, "segments", $"seg-{n:D6}.amb");

    public void Dispose() => temp.Dispose();
}
