using System.Text;
using Amber.Import.Json;

namespace Amber.Import.Tests;

public sealed class JsonRecordReaderTests
{
    private static ImportInput Input(byte[] bytes, string name = "test.json")
        => new(name, bytes.Length, () => new MemoryStream(bytes));

    [Fact]
    public void ReadJson_ArrayLargerThanTheBuffer_YieldsEachElementExactly()
    {
        var elements = Enumerable.Range(0, 300).Select(i => $"{{\"id\":{i},\"text\":\"{new string('x', 10_000 + i)}\",\"nested\":[1,{{\"a\":\"]\"}}]}}").ToList();
        var bytes = Encoding.UTF8.GetBytes(" \n[" + string.Join(",\n  ", elements) + "]\n");
        var records = JsonRecordReader.ReadJson(Input(bytes), TestContext.Current.CancellationToken).ToList();
        Assert.Equal(elements, records.Select(r => Encoding.UTF8.GetString(r.Bytes.Span)));
        Assert.Equal(bytes.AsSpan().IndexOf("{\"id\":7,"u8), records[7].Offset);
    }

    [Fact]
    public void ReadJson_SingleObject_YieldsIt()
    {
        var records = JsonRecordReader.ReadJson(Input("\uFEFF{\"a\": [1, 2]}\n"u8.ToArray()), TestContext.Current.CancellationToken).ToList();
        Assert.Equal("{\"a\": [1, 2]}", Encoding.UTF8.GetString(Assert.Single(records).Bytes.Span));
    }

    [Fact]
    public void ReadJson_Truncated_NamesTheRecordAndByte()
    {
        var bytes = Encoding.UTF8.GetBytes("[{\"a\":1},{\"b\":[2,3");
        var e = Assert.Throws<ImportException>(() => JsonRecordReader.ReadJson(Input(bytes, "export.json"), TestContext.Current.CancellationToken).ToList());
        Assert.Contains("export.json: record 1 (byte 8)", e.Message, StringComparison.Ordinal);
        Assert.Contains("truncated", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadJson_InvalidUtf8_NamesTheByte()
    {
        var bytes = Encoding.UTF8.GetBytes("[{\"a\":\"ok\"},{\"b\":\"xx\"}]");
        bytes[19] = 0xFF;
        var e = Assert.Throws<ImportException>(() => JsonRecordReader.ReadJson(Input(bytes), TestContext.Current.CancellationToken).ToList());
        Assert.Contains("invalid UTF-8", e.Message, StringComparison.Ordinal);
        Assert.Contains("record 1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadJson_GarbageAfterArray_IsRejected()
    {
        var e = Assert.Throws<ImportException>(() => JsonRecordReader.ReadJson(Input("[1,2] x"u8.ToArray()), TestContext.Current.CancellationToken).ToList());
        Assert.Contains("after the top-level array", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadJsonLines_SkipsBlankLinesAndNamesBadLines()
    {
        var ok = JsonRecordReader.ReadJsonLines(Input("{\"a\":1}\n\n{\"b\":2}\r\n"u8.ToArray(), "x.jsonl"), TestContext.Current.CancellationToken).ToList();
        Assert.Equal(2, ok.Count);
        Assert.Equal(3, ok[1].Line);
        var e = Assert.Throws<ImportException>(() => JsonRecordReader.ReadJsonLines(Input("{\"a\":1}\n{\"b\":\n"u8.ToArray(), "x.jsonl"), TestContext.Current.CancellationToken).ToList());
        Assert.Contains("x.jsonl: line 2", e.Message, StringComparison.Ordinal);
    }
}
