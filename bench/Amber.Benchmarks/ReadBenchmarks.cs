using System.Reflection;
using Amber.Storage;
using Amber.Storage.Reading;
using BenchmarkDotNet.Attributes;

namespace Amber.Benchmarks;

/// <summary>
/// Reading one conversation back, against reading a plain file of the same size as its raw record.
/// "Warm" reads hit the archive's small cache of decoded commit frames (the same conversation is read
/// again and again); "cold" reads empty that cache first (by reflection; the cache is private), so the
/// frame is read from the segment file and decompressed, as for the first read of a conversation.
/// </summary>
[MemoryDiagnoser]
public class ReadBenchmarks
{
    private Archive archive = null!;
    private ReadTarget target = null!;
    private Action clearFrameCache = null!;

    [Params("small", "largest")]
    public string Conversation { get; set; } = "small";

    [GlobalSetup]
    public void Setup()
    {
        var setup = ReadSetup.Load();
        target = Conversation == "largest" ? setup.Largest : setup.Small;
        archive = Archive.Open(new ArchiveOptions { Directory = setup.ArchiveDirectory, ReadOnly = true });
        clearFrameCache = FrameCacheClearer(archive);
        if (archive.GetConversation(target.ConversationId) is null)
        {
            throw new InvalidOperationException($"conversation {target.ConversationId} is not in {setup.ArchiveDirectory}.");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => archive.Dispose();

    [Benchmark(Baseline = true, Description = "File.ReadAllBytes, same size as raw")]
    public byte[] ReadAllBytesSameSize() => File.ReadAllBytes(target.File);

    [Benchmark(Description = "GetBlob(raw), cold")]
    public byte[]? GetBlobRawCold()
    {
        clearFrameCache();
        return archive.GetBlob(target.RawId);
    }

    [Benchmark(Description = "GetConversation, warm")]
    public ConversationView? GetConversationWarm() => archive.GetConversation(target.ConversationId);

    [Benchmark(Description = "GetConversation, cold")]
    public ConversationView? GetConversationCold()
    {
        clearFrameCache();
        return archive.GetConversation(target.ConversationId);
    }

    /// <summary>Empties the archive's private cache of decoded commit frames.</summary>
    internal static Action FrameCacheClearer(Archive archive)
    {
        var field = typeof(Archive).GetField("frameCache", BindingFlags.NonPublic | BindingFlags.Instance)
            ?? throw new MissingFieldException("Archive.frameCache is gone; update ReadBenchmarks.FrameCacheClearer to the new read cache.");
        var cache = field.GetValue(archive) ?? throw new InvalidOperationException("Archive.frameCache is null.");
        var clear = cache.GetType().GetMethod("Clear", Type.EmptyTypes) ?? throw new MissingMethodException(cache.GetType().Name, "Clear");
        return (Action)Delegate.CreateDelegate(typeof(Action), cache, clear);
    }
}
