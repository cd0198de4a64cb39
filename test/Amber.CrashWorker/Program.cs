using System.Globalization;
using Amber.Storage;
using Amber.Testing;

// Usage: Amber.CrashWorker ARCHIVE_DIR FIRST_SEED [compact]
// Prints "ACK <seed> <conversation id>" after each commit is acknowledged (durable), forever. With "compact", a second
// thread seals the active segment and compacts it again and again meanwhile, so kills also land inside compactions.
var dir = args[0];
var seed = int.Parse(args[1], CultureInfo.InvariantCulture);
using var archive = Archive.Open(new ArchiveOptions
{
    Directory = dir,
    CreateIfMissing = true,
    CompressionLevel = 3,
    SegmentSize = 256 << 10, // small segments so kills also land in seals and rotations
    DictionaryTrainingCommits = 16,
    DictionaryTrainingBytes = 16 << 10,
    ExternalBlobThreshold = 4 << 10,
    Log = m => Console.Error.WriteLine("recovery: " + m),
});
if (args.Length > 2 && args[2] == "compact")
{
    _ = Task.Factory.StartNew(() =>
    {
        while (true)
        {
            var report = archive.Compact(19, sealActiveFrom: 1);
            Console.Error.WriteLine($"compacted {report.SegmentsRewritten} segment(s)");
        }
    }, TaskCreationOptions.LongRunning);
}

Console.Out.WriteLine("READY");
Console.Out.Flush();
for (var i = seed; ; i++)
{
    var (batch, cid, _) = SampleConversations.Create(i, turns: 2 + (i % 3), branches: 1 + (i % 2), withAttachment: true);
    if (i % 5 == 0)
    {
        // Now and then a blob big enough to go to its own file.
        var big = new byte[6000 + (i % 7 * 1000)];
        new Random(i).NextBytes(big);
        batch.AddBlob(big);
    }

    await archive.CommitAsync(batch);
    Console.Out.WriteLine($"ACK {i} {cid}");
    Console.Out.Flush();
}
