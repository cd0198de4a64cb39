using System.Text;
using Amber.Transparency.Notes;

namespace Amber.Transparency.Tests.Notes;

/// <summary>The format rules of c2sp.org/signed-note, independent of any key.</summary>
public sealed class SignedNoteTests
{
    private const string Text = "hello\nworld\n";

    private static readonly string Sig = new NoteSignature("example.com/a", 0x01020304, new byte[64]).FormatLine();

    [Fact]
    public void Parse_WellFormedNote_SplitsTextAndSignatures()
    {
        var note = SignedNote.Parse(Text + "\n" + Sig);

        Assert.Equal(Text, note.Text);
        var signature = Assert.Single(note.Signatures);
        Assert.Equal("example.com/a", signature.KeyName);
        Assert.Equal(0x01020304u, signature.KeyId);
        Assert.Equal(64, signature.Signature.Length);
    }

    [Fact]
    public void Parse_TextWithBlankLines_SplitsAtTheLastBlankLine()
    {
        var text = "first\n\nsecond\n\n\nthird\n";

        var note = SignedNote.Parse(text + "\n" + Sig + Sig);

        Assert.Equal(text, note.Text);
        Assert.Equal(2, note.Signatures.Count);
        Assert.Equal(text + "\n" + Sig + Sig, note.Format());
    }

    [Theory]
    [InlineData("hello\r\nworld\n", "Control character")]
    [InlineData("hello\tworld\n", "Control character")]
    [InlineData("nul\0\n", "Control character")]
    [InlineData("\uFEFFhello\n", "byte order mark")]
    public void TryParse_BadText_ReportsWhy(string text, string reason)
    {
        Assert.False(SignedNote.TryParse(text + "\n" + Sig, out _, out var error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_NoBlankLineBeforeSignatures_ReportsWhy()
    {
        Assert.False(SignedNote.TryParse(Text + Sig, out _, out var error));
        Assert.Contains("No blank line", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("- example.com/a AQIDBAAAAAA=\n")]
    [InlineData("\u2013 example.com/a AQIDBAAAAAA=\n")]
    [InlineData("\u2014example.com/a AQIDBAAAAAA=\n")]
    [InlineData("\u2014 example.com/a\n")]
    [InlineData("\u2014 example.com/a+b AQIDBAAAAAA=\n")]
    [InlineData("\u2014 example.com/a AQIDBA==\n")]
    [InlineData("\u2014 example.com/a AQIDBAAAAA A=\n")]
    [InlineData("\u2014 example.com/a AQIDBAAAAAB=\n")]
    [InlineData("\u2014 example.com/a AQIDBAAAAAA\n")]
    [InlineData("\u2014 example.com/a AQIDBAAAAAA=")]
    [InlineData("\u2014 example.com/a AQIDBAAAAAA=\njunk")]
    [InlineData("\u2014 example.com/a AQIDBAAAAAA=\n\n")]
    [InlineData("\u2014  AQIDBAAAAAA=\n")]
    public void TryParse_MalformedSignatureBlock_IsRejected(string block)
    {
        Assert.False(SignedNote.TryParse(Text + "\n" + block, out _, out var error));
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Fact]
    public void TryParse_InvalidUtf8_IsRejected()
    {
        var bytes = Encoding.UTF8.GetBytes(Text + "\n" + Sig);
        bytes[2] = 0xFF;

        Assert.False(SignedNote.TryParse(bytes, out _, out var error));
        Assert.Contains("UTF-8", error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_MaxSignatures_AcceptedOneMoreRejected()
    {
        var atLimit = Text + "\n" + string.Concat(Enumerable.Repeat(Sig, SignedNote.MaxSignatures));

        Assert.True(SignedNote.TryParse(atLimit, out var note, out _));
        Assert.Equal(SignedNote.MaxSignatures, note.Signatures.Count);
        Assert.False(SignedNote.TryParse(atLimit + Sig, out _, out var error));
        Assert.Contains("more than", error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_OverSizeLimit_IsRejected()
    {
        var huge = new string('a', SignedNote.MaxSize) + "\n\n" + Sig;

        Assert.False(SignedNote.TryParse(Encoding.UTF8.GetBytes(huge), out _, out _));
        Assert.False(SignedNote.TryParse(huge, out _, out _));
    }

    [Fact]
    public void Constructor_TextWithoutFinalNewline_Throws()
        => Assert.Throws<ArgumentException>(() => new SignedNote("no newline", [new NoteSignature("a", 1, new byte[64])]));

    [Fact]
    public void Constructor_NoSignatures_Throws()
        => Assert.Throws<ArgumentException>(() => new SignedNote(Text, []));

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("has+plus")]
    [InlineData("nbsp\u00A0name")]
    [InlineData("line\nbreak")]
    public void NoteSignature_InvalidKeyName_Throws(string name)
        => Assert.Throws<ArgumentException>(() => new NoteSignature(name, 1, new byte[64]));

    [Fact]
    public void Format_ParsedNote_IsByteIdentical()
    {
        var original = Text + "\n" + Sig + new NoteSignature("other.example/b", 0xdeadbeef, new byte[] { 9, 8, 7 }).FormatLine();

        Assert.Equal(original, SignedNote.Parse(original).Format());
    }
}
