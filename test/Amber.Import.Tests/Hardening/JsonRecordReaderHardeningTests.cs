using System.Text;
using Amber.Core.Json;
using Amber.Import.Json;
using Amber.Testing;

namespace Amber.Import.Tests.Hardening;

/// <summary>Issue 20, items 11, 15 and 22: the record reader's cost, limits and errors.</summary>
public sealed class JsonRecordReaderHardeningTests
{
    [Fact]
    public async Task Item11_ReadJson_LargeRecordFromAStreamThatTrickles_IsReadInLinearTime()
    {
        // A zip's inflater hands out a few bytes per read; the reader re-parsed the pending record after each.
        var json = Encoding.UTF8.GetBytes("[{\"text\": \"" + new string('x', 8 << 20) + "\"}]");
        var input = new ImportInput("trickle.json", json.Length, () => new TrickleStream(json, 1));

        var read = Task.Run(() => JsonRecordReader.ReadJson(input, TestContext.Current.CancellationToken).ToList(), TestContext.Current.CancellationToken);
        var finished = await Task.WhenAny(read, Task.Delay(TimeSpan.FromMinutes(3), TestContext.Current.CancellationToken)) == read;

        Assert.True(finished, "an 8 MiB record read one byte at a time did not finish: the reader re-parses it after every read");
        Assert.Equal(json.Length - 2, Assert.Single(await read).Bytes.Length);
    }

    [Fact]
    public async Task Item11_ReadJsonLines_ManyShortLinesAfterALongOne_AreReadInLinearTime()
    {
        // One long line first grows the buffer; every short line after it then moved the whole buffer.
        var line = "{\"messages\": [{\"role\": \"user\", \"content\": \"q\"}]}\n"u8.ToArray();
        var longLine = Encoding.UTF8.GetBytes("{\"text\": \"" + new string('x', 64 << 20) + "\"}\n");
        var json = longLine.Concat(Enumerable.Repeat(line, 1_000_000).SelectMany(b => b)).ToArray();
        var input = new ImportInput("lines.jsonl", json.Length, () => new MemoryStream(json, writable: false));

        var read = Task.Run(() => JsonRecordReader.ReadJsonLines(input, TestContext.Current.CancellationToken).Count(), TestContext.Current.CancellationToken);
        var finished = await Task.WhenAny(read, Task.Delay(TimeSpan.FromMinutes(3), TestContext.Current.CancellationToken)) == read;

        Assert.True(finished, "1,000,000 short lines after a long one did not finish: the reader moves the rest of its buffer after every line");
        Assert.Equal(1_000_001, await read);
    }

    [Fact]
    public void Item11_ReadJson_BlankSpaceBetweenRecordsBeyondTheRecordLimit_IsNotARecordTooLarge()
    {
        // 600 MiB of blank space between two small records: no record is over the limit, so none may be reported as such.
        var head = "[{\"a\": 1},"u8.ToArray();
        var tail = "{\"b\": 2}]"u8.ToArray();
        long blank = 600L << 20;
        var input = new ImportInput("blank.json", head.Length + blank + tail.Length, () => new BlankStream(head, blank, tail));

        var records = JsonRecordReader.ReadJson(input, TestContext.Current.CancellationToken).ToList();

        Assert.Equal(["{\"a\": 1}", "{\"b\": 2}"], records.Select(r => Encoding.UTF8.GetString(r.Bytes.Span)));
        Assert.Equal(head.Length + blank, records[1].Offset);
    }

    [Fact]
    public void Item22_Import_DuplicateMember_NamesTheFileTheRecordAndTheMember()
    {
        using var fx = new ImportFixture();
        using var dir = new TempDirectory();
        var file = dir.Combine("dup.jsonl");
        File.WriteAllText(file, "{\"conversations\": [{\"from\": \"human\", \"value\": \"a\"}]}\n{\"conversations\": [{\"from\": \"human\", \"value\": \"a\", \"value\": \"b\"}]}\n");

        var summary = fx.ImportAs("sharegpt", file);

        var error = Assert.Single(summary.Errors);
        Assert.Equal($"{file}: line 2: member \"value\" appears twice in one object (at byte 104); a record with duplicate members is ambiguous and is not imported. Nothing from this file was committed.", error);
        Assert.Equal(0, fx.Archive.GetStats().Conversations);
    }

    [Fact]
    public void Item15_Import_RecordNestedDeeperThanTheArchiveLimit_IsRefusedByName()
    {
        using var fx = new ImportFixture();
        using var dir = new TempDirectory();
        var file = dir.Combine("deep.json");
        File.WriteAllText(file, "[{\"conversations\": [{\"from\": \"human\", \"value\": \"hi\"}], \"extra\": " + Nested(JsonLimits.MaxDepth) + "}]");

        var summary = fx.ImportAs("sharegpt", file);

        var error = Assert.Single(summary.Errors);
        Assert.StartsWith($"{file}: record 0 (byte 1): nested deeper than {JsonLimits.MaxDepth} levels (at byte ", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Item15_Import_RecordNestedToTheArchiveLimit_IsImported()
    {
        using var fx = new ImportFixture();
        using var dir = new TempDirectory();
        var file = dir.Combine("deep.json");
        File.WriteAllText(file, "[{\"conversations\": [{\"from\": \"human\", \"value\": \"hi\"}], \"extra\": " + Nested(JsonLimits.MaxDepth - 2) + "}]");

        var summary = fx.ImportAs("sharegpt", file);

        Assert.True(summary.Ok, string.Join("\n", summary.Errors));
        Assert.Equal(1, summary.NewConversations);
    }

    /// <summary>Arrays nested <paramref name="depth"/> deep.</summary>
    internal static string Nested(int depth) => new string('[', depth) + new string(']', depth);

    /// <summary>Hands out at most a few bytes per read, as an inflater does.</summary>
    private sealed class TrickleStream(byte[] data, int chunk) : MemoryStream(data, writable: false)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, chunk));

        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(buffer.Length, chunk)]);
    }

    /// <summary>head, then <c>blank</c> spaces, then tail, generated on the fly.</summary>
    private sealed class BlankStream(byte[] head, long blank, byte[] tail) : Stream
    {
        private long position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => head.Length + blank + tail.Length;

        public override long Position
        {
            get => position;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = 0;
            while (n < count && position < Length)
            {
                buffer[offset + n++] = position < head.Length ? head[position]
                    : position < head.Length + blank ? (byte)' '
                    : tail[position - head.Length - blank];
                position++;
            }

            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
