using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Amber.Cli.Tests.Hardening;
using Amber.Storage;
using Amber.Testing;

namespace Amber.Cli.Tests;

/// <summary>
/// tools/amber_reader.py, the second reader written from docs/format alone (Python and the zstd command), run against
/// archives the C# code wrote: its line for every conversation equals <c>amber show --json</c>, and damage makes it fail
/// naming the file and the offset.
/// </summary>
public sealed class SecondReaderTests
{
    private static readonly string Tool = Path.Combine(RepositoryRoot.Path, "tools", "amber_reader.py");

    [Fact]
    public void RealCorpusImports_ReadTheSameAsShowJson()
    {
        RequireTools();
        var corpus = SharedData.PathTo("corpus");
        if (corpus is null)
        {
            Assert.Skip(SharedData.MissingMessage);
        }

        using var cli = new CliRunner();
        Assert.Equal(0, cli.Run("init", "--no-encryption").Exit); // the reader reads the clear format
        foreach (var source in new[] { "claude-export-simonw", "oasst-en100-trees", "chatgpt-export-chatgpt2graph", "claude-export-racmac57", "oasst2-trees-openpaws" })
        {
            var (exit, _, err) = cli.Run("import", Path.Combine(corpus!, source));
            Assert.True(exit == 0, err);
        }

        AssertReadsAsShow(cli);

        // The node order rule (record-frame.md §11) is exercised: some siblings are in "created" order, not id order.
        var (read, _) = RunReader(cli.ArchiveDir);
        Assert.Contains(read.Split('\n', StringSplitOptions.RemoveEmptyEntries), line =>
            JsonNode.Parse(line)!["node_list"]!.AsArray().GroupBy(n => (string?)n!["parent"])
                .Any(g => !g.Select(n => (string)n!["id"]!).SequenceEqual(g.Select(n => (string)n!["id"]!).Order(StringComparer.Ordinal))));
    }

    [Fact]
    public async Task GatewayArchive_ReadsTheSameAsShowJson()
    {
        RequireTools();
        using var cli = new CliRunner();
        cli.Init(encrypted: false); // the reader reads content in the clear
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Answer("Paris.");
        upstream.Answer("About two million people.");
        upstream.Answer("Lyon.");
        await using (var proxy = await RunningServer.StartAsync(cli, "proxy", "--openai-upstream", upstream.Url.ToString(), "--anthropic-upstream", upstream.Url.ToString()))
        {
            using var http = new HttpClient { BaseAddress = proxy.Url };
            foreach (var (path, body) in new[]
            {
                ("/v1/chat/completions", """{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Capital of France?"}]}"""),
                ("/v1/chat/completions", """{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Capital of France?"},{"role":"assistant","content":"Paris."},{"role":"user","content":"How many live there?"}]}"""),
                ("/v1/chat/completions", """{"model":"gpt-4o-mini","temperature":0.7,"stream":true,"messages":[{"role":"system","content":"Be brief \u00e9\u2014\"q\""},{"role":"user","content":"Second city?"}]}"""),
                ("/v1/responses", """{"model":"gpt-4.1-mini","input":"Third city?"}"""),
                ("/v1/messages", """{"model":"claude-sonnet-4-5","max_tokens":64,"messages":[{"role":"user","content":"Fourth city?"}]}"""),
            })
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
                request.Headers.Add("x-api-key", "test-key");
                request.Headers.Add("anthropic-version", "2023-06-01");
                using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);
                Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {response.StatusCode} {await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)}");
                await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            }
        }

        Assert.True(AssertReadsAsShow(cli) >= 4);
    }

    [Fact]
    public void RevivedAndMarkedArchive_ReadsTheSameAsShowJson()
    {
        RequireTools();
        using var cli = new CliRunner();
        var seeded = cli.Seed(2);
        var instance = cli.ReviveFrozen(seeded[0].Leaves[0]);
        var (exit, _, err) = cli.Run("mark", instance, "--rest", "--reason", "it asked to rest", "--by", "instance");
        Assert.True(exit == 0, err);
        (exit, _, err) = cli.Run("mark", seeded[1].Leaves[0], "--rest", "--reason", "kept as it was");
        Assert.True(exit == 0, err);

        var (read, _) = RunReader(cli.ArchiveDir);
        Assert.Contains(instance, read, StringComparison.Ordinal); // the revived turn is among the nodes the reader found
        AssertReadsAsShow(cli);
    }

    [Fact]
    public void SealedSegmentsDictionariesAndExternalBlobs_ReadTheSameAsShowJson()
    {
        RequireTools();
        using var cli = new CliRunner();
        SeedManySegments(cli);
        Assert.True(Directory.GetFiles(Path.Combine(cli.ArchiveDir, "segments"), "seg-*.amb").Length > 2);
        Assert.NotEmpty(Directory.GetDirectories(Path.Combine(cli.ArchiveDir, "blobs")));
        var stats = JsonNode.Parse(cli.Run("stats", "--json").Out)!;
        Assert.True((int)stats["dictionaries"]! > 0, "the archive should hold a trained dictionary");
        Assert.Equal(60, AssertReadsAsShow(cli));
    }

    [Fact]
    public void CompactedArchiveWithMergedFrames_ReadsTheSameAsShowJson()
    {
        RequireTools();
        using var cli = new CliRunner();
        SeedManySegments(cli);
        var (exit, _, err) = cli.Run("compact");
        Assert.True(exit == 0, err);
        Assert.Contains(Frames(cli.FirstSegment), f => f.Kind == 4); // record-frame.md §4a

        Assert.Equal(60, AssertReadsAsShow(cli));
    }

    [Fact]
    public void FlippedByteInAMergedFrame_FailsNamingTheFileAndTheFrameOffset()
    {
        RequireTools();
        using var cli = new CliRunner();
        SeedManySegments(cli);
        Assert.Equal(0, cli.Run("compact").Exit);
        var (offset, length, _) = Frames(cli.FirstSegment).First(f => f.Kind == 4);
        cli.FlipFirstSegmentByte((int)offset + (int)(length / 2), 0x10);

        var (exit, _, err) = RunReaderRaw(cli.ArchiveDir);
        Assert.Equal(1, exit);
        Assert.Contains($"{cli.FirstSegment}: offset {offset}:", err, StringComparison.Ordinal);
    }

    [Fact]
    public void FlippedByteInASealedSegment_FailsNamingTheFileAndTheFrameOffset()
    {
        RequireTools();
        using var cli = new CliRunner();
        SeedManySegments(cli);
        var frames = Frames(cli.FirstSegment);
        var (offset, length, _) = frames[frames.Count / 2];
        var flipped = (int)offset + (int)(length / 2);
        cli.FlipFirstSegmentByte(flipped, 0x10);

        var (exit, _, err) = RunReaderRaw(cli.ArchiveDir);
        Assert.Equal(1, exit);
        Assert.Contains($"{cli.FirstSegment}: offset {offset}:", err, StringComparison.Ordinal);
        Assert.Contains("CRC-32C", err, StringComparison.Ordinal);
    }

    [Fact]
    public void DamagedExternalBlobFile_FailsNamingTheBlobFile()
    {
        RequireTools();
        using var cli = new CliRunner();
        SeedManySegments(cli);
        var blob = Directory.GetFiles(Path.Combine(cli.ArchiveDir, "blobs"), "*.zst", SearchOption.AllDirectories).Order(StringComparer.Ordinal).First();
        var bytes = File.ReadAllBytes(blob);
        bytes[^3] ^= 0x40;
        File.WriteAllBytes(blob, bytes);

        var (exit, _, err) = RunReaderRaw(cli.ArchiveDir);
        Assert.Equal(1, exit);
        Assert.Contains(blob + ": offset 0: external blob", err, StringComparison.Ordinal);
    }

    [Fact]
    public void TruncatedLastSegment_FailsNamingTheFile_BecauseWriterChkSaysTheDataWasDurable()
    {
        RequireTools();
        using var cli = new CliRunner();
        cli.Seed(3);
        var segment = cli.FirstSegment;
        var length = new FileInfo(segment).Length;
        using (var f = File.OpenWrite(segment))
        {
            f.SetLength(length - 7);
        }

        var (exit, _, err) = RunReaderRaw(cli.ArchiveDir);
        Assert.Equal(1, exit);
        Assert.Contains(segment + ": offset ", err, StringComparison.Ordinal);
        Assert.Contains("acknowledged commits are missing", err, StringComparison.Ordinal);
    }

    [Fact]
    public void TornTailOfTheLastSegment_IsNotAFault_TheDataEndsWhereItBegins()
    {
        RequireTools();
        using var cli = new CliRunner();
        cli.Seed(2);
        var segment = cli.FirstSegment;
        var end = new FileInfo(segment).Length;
        using (var f = new FileStream(segment, FileMode.Append))
        {
            f.Write([0x40, 0x00, 0x00, 0x00, 0x01, 0x03, 0x00]); // a frame cut short by a crash: never acknowledged
        }

        var (read, err) = RunReader(cli.ArchiveDir);
        Assert.Contains($"{segment}: offset {end}: torn tail", err, StringComparison.Ordinal);
        Assert.Equal(2, read.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public void BadCheckpointSignature_FailsNamingTheFileAndTheCheckpointFrame()
    {
        RequireTools();
        using var cli = new CliRunner();
        cli.Seed(2);
        var segment = cli.FirstSegment;
        var (offset, length, _) = Frames(segment).Last(f => f.Kind == 3);
        var bytes = File.ReadAllBytes(segment);
        var note = bytes.AsSpan((int)offset + 16, (int)length - 12);
        var sig = note.LastIndexOf((byte)' ') + 20; // a base64 character inside the signature, past the key id
        note[sig] = note[sig] == (byte)'A' ? (byte)'B' : (byte)'A';
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan((int)(offset + 4 + length)), Crc32C(bytes.AsSpan((int)offset + 4, (int)length)));
        File.WriteAllBytes(segment, bytes);

        var (exit, _, err) = RunReaderRaw(cli.ArchiveDir);
        Assert.Equal(1, exit);
        Assert.Contains($"{segment}: offset {offset}: the latest checkpoint's signature does not verify", err, StringComparison.Ordinal);
    }

    [Fact]
    public void EncryptedArchive_ChecksTheLogAndClearParts_AndNamesEachEncryptedConversation()
    {
        RequireTools();
        using var cli = new CliRunner();
        cli.Init(encrypted: true);
        var seeded = cli.Seed(3);
        Assert.Equal(0, cli.Run("mark", seeded[0].Leaves[0], "--rest", "--reason", "kept as it was").Exit); // an annotation of encrypted content
        Assert.Equal(0, cli.Run("log", "checkpoint").Exit);

        var (exit, stdout, err) = RunReaderRaw(cli.ArchiveDir);
        Assert.True(exit == 0, err);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!.AsObject()).ToList();
        Assert.Equal(seeded.Select(s => s.Conversation).Order(StringComparer.Ordinal), lines.Select(l => (string)l["id"]!));
        Assert.All(lines, l => Assert.True((bool)l["encrypted"]!));
        Assert.All(lines, l => Assert.Null(l["node_list"])); // no content is claimed
        Assert.Contains("3 conversations are encrypted (codec 5", err, StringComparison.Ordinal);
        Assert.Contains("4 commits", err, StringComparison.Ordinal);
        Assert.Contains("the latest checkpoint verifies", err, StringComparison.Ordinal);

        // What the reader can check it still checks: a changed byte is named by file and offset.
        cli.FlipFirstSegmentByte(200, 0x01);
        var (damaged, _, said) = RunReaderRaw(cli.ArchiveDir);
        Assert.Equal(1, damaged);
        Assert.Contains("seg-000001.amb: offset ", said, StringComparison.Ordinal);
    }

    [Fact]
    public void SelfTest_ChecksEd25519OnTheRfc8032VectorsAndCrc32C()
    {
        RequireTools();
        var (exit, output, err) = Run("python3", Tool, "--self-test");
        Assert.True(exit == 0, output + err);
        var (helpExit, help, _) = Run("python3", Tool, "--help");
        Assert.Equal(0, helpExit);
        Assert.Contains("\"encrypted\": true", help, StringComparison.Ordinal);
    }

    /// <summary>60 sample conversations in commits of one kind, with small segments (so several are sealed), a dictionary
    /// trained early, and blobs above 200 bytes stored as external files.</summary>
    private static void SeedManySegments(CliRunner cli)
    {
        using var archive = Archive.Open(new ArchiveOptions
        {
            Directory = cli.ArchiveDir,
            CreateIfMissing = true,
            SegmentSize = 24 << 10,
            DictionaryTrainingCommits = 10,
            DictionaryTrainingBytes = 4 << 10,
            DictionarySize = 2 << 10,
            ExternalBlobThreshold = 200,
        });
        for (var i = 0; i < 60; i++)
        {
            archive.Commit(SampleConversations.Create(i, kind: "sample").Batch);
        }
    }

    /// <summary>Runs the reader, asserts it succeeds, and compares each of its lines with <c>amber show --json ID</c>; returns the number of lines.</summary>
    private static int AssertReadsAsShow(CliRunner cli)
    {
        var (stdout, _) = RunReader(cli.ArchiveDir);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!.AsObject()).ToList();
        var listed = cli.Run("ls", "--json", "-n", "100000").Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => (string)JsonNode.Parse(l)!["id"]!).Order(StringComparer.Ordinal);
        Assert.Equal(listed, lines.Select(l => (string)l["id"]!));
        foreach (var line in lines)
        {
            var id = (string)line["id"]!;
            var (exit, shown, err) = cli.Run("show", id, "--json");
            Assert.True(exit == 0, err);
            var show = JsonNode.Parse(shown)!.AsObject();
            foreach (var member in new[] { "id", "nodes", "instances", "record" })
            {
                Assert.True(JsonNode.DeepEquals(show[member], line[member]), $"{id}: {member}: show {show[member]?.ToJsonString()} vs reader {line[member]?.ToJsonString()}");
            }

            var expected = show["node_list"]!.AsArray();
            var actual = line["node_list"]!.AsArray();
            Assert.Equal(expected.Count, actual.Count);
            for (var i = 0; i < expected.Count; i++)
            {
                Assert.True(JsonNode.DeepEquals(expected[i], actual[i]), $"{id}: node {i}: show {expected[i]?.ToJsonString()} vs reader {actual[i]?.ToJsonString()}");
            }
        }

        return lines.Count;
    }

    private static (string Out, string Err) RunReader(string archive)
    {
        var (exit, stdout, stderr) = RunReaderRaw(archive);
        Assert.True(exit == 0, $"amber_reader.py exited {exit}: {stderr}");
        Assert.Contains("the latest checkpoint verifies", stderr, StringComparison.Ordinal);
        return (stdout, stderr);
    }

    private static (int Exit, string Out, string Err) RunReaderRaw(string archive) => Run("python3", Tool, archive);

    private static (int Exit, string Out, string Err) Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true, StandardOutputEncoding = Encoding.UTF8 };
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        process.WaitForExit();
        return (process.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
    }

    private static void RequireTools()
    {
        foreach (var (tool, arg) in new[] { ("python3", "--version"), ("zstd", "--version") })
        {
            try
            {
                Run(tool, arg);
            }
            catch (System.ComponentModel.Win32Exception)
            {
                Assert.Skip($"{tool} is not installed; the second reader (tools/amber_reader.py) needs python3 and zstd (Debian packages; .ci/run installs them).");
            }
        }
    }

    /// <summary>The frames of a segment file: offset, body length N, kind (segment.md §4, record-frame.md §1).</summary>
    private static List<(long Offset, uint Length, byte Kind)> Frames(string segment)
    {
        var bytes = File.ReadAllBytes(segment);
        var frames = new List<(long, uint, byte)>();
        var p = 64;
        while (p + 8 <= bytes.Length && !bytes.AsSpan(p, 8).SequenceEqual("AMBEREND"u8))
        {
            var n = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(p));
            frames.Add((p, n, bytes[p + 4]));
            p += (int)n + 12;
        }

        return frames;
    }

    /// <summary>CRC-32C as segment.md §1 writes it (bitwise), to forge a frame whose checksum holds.</summary>
    private static uint Crc32C(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
            }
        }

        return crc ^ 0xFFFFFFFFu;
    }
}
