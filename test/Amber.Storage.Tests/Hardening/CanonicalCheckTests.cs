using System.Text;
using Amber.Core.Json;
using Amber.Storage.Verification;
using Amber.Testing;

namespace Amber.Storage.Tests.Hardening;

/// <summary>
/// Verify's one-pass canonical-form check (<see cref="CanonicalCheck"/>) may only vouch for bytes that canonicalizing
/// leaves as they are: whatever it calls canonical, <see cref="CanonicalJson.Canonicalize(ReadOnlySpan{byte})"/> must
/// give back unchanged. And it must vouch for what the archive stores, or verify gains nothing.
/// </summary>
public sealed class CanonicalCheckTests
{
    [Theory]
    [InlineData("{}")]
    [InlineData("[]")]
    [InlineData("{\"a\":1,\"b\":[true,false,null],\"c\":{\"d\":\"e\"}}")]
    [InlineData("{\"a\":\"tab\\there \\\"quoted\\\" back\\\\slash \\u001f \\n\"}")]
    [InlineData("{\"n\":[0,-1,123456789012345,1.5,-0.001,1e+21,1.2e-7]}")]
    [InlineData("{\"text\":\"h\u00e9llo \u4e16\u754c \ud83d\ude00\"}")]
    [InlineData("{\"A\":1,\"B\":2,\"a\":3,\"b\":4}")]
    public void CanonicalJson_IsVouchedFor(string json)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        Assert.Equal(bytes, CanonicalJson.Canonicalize(bytes));
        Assert.True(CanonicalCheck.IsCanonical(bytes));
    }

    [Theory]
    [InlineData("{ }")]
    [InlineData(" {}")]
    [InlineData("{}\n")]
    [InlineData("{\"a\": 1}")]
    [InlineData("{\"a\":1 ,\"b\":2}")]
    [InlineData("{\"b\":1,\"a\":2}")]
    [InlineData("{\"a\":1,\"a\":2}")]
    [InlineData("{\"a\":{\"y\":1,\"x\":2}}")]
    [InlineData("{\"a\":\"\\/\"}")]
    [InlineData("{\"a\":\"\\u0041\"}")]
    [InlineData("{\"a\":\"\\u001F\"}")]
    [InlineData("{\"a\":\"\\u000a\"}")]
    [InlineData("{\"a\":\"\\ud800\"}")]
    [InlineData("{\"a\":\"\\ud83d\\ude00\"}")]
    [InlineData("{\"a\":1.0}")]
    [InlineData("{\"a\":-0}")]
    [InlineData("{\"a\":1e2}")]
    [InlineData("{\"a\":1E+21}")]
    [InlineData("{\"a\":0.10}")]
    [InlineData("{\"a\":1234567890123456789}")]
    [InlineData("{\"a\":1}{}")]
    [InlineData("{\"a\":[1 ,2]}")]
    [InlineData("{\"\\u0061\":1}")]
    [InlineData("{\"a\":1,}")]
    [InlineData("")]
    public void NonCanonicalJson_IsNotVouchedFor(string json)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        Assert.False(CanonicalCheck.IsCanonical(bytes));
        Assert.NotNull(PreparedFrame.CanonicalProblem(bytes));
    }

    [Fact]
    public void InvalidUtf8_IsNotVouchedFor()
    {
        byte[] bytes = [.. "{\"a\":\""u8, 0xC3, 0x28, .. "\"}"u8];
        Assert.False(CanonicalCheck.IsCanonical(bytes));
    }

    /// <summary>
    /// Every node the archive stores is vouched for, and no mutation of one is vouched for unless canonicalizing leaves
    /// it as it is (single bytes changed, inserted and removed, at seeded random places).
    /// </summary>
    [Fact]
    public async Task StoredNodes_AreVouchedFor_AndNoMutationIsVouchedForWrongly()
    {
        using var t = new TestArchives(FileSystemKind.Local);
        await using var archive = t.Init();
        var (batch, id, _) = SampleConversations.Create(7, turns: 6, branches: 3);
        archive.Commit(batch);
        var bodies = archive.GetConversation(id)!.Tree.Nodes.Values.Select(n => n.ToCanonicalBytes()).ToList();
        Assert.NotEmpty(bodies);
        var rng = new Random(22);
        var vouched = 0;
        foreach (var body in bodies)
        {
            Assert.True(CanonicalCheck.IsCanonical(body));
            for (var k = 0; k < 400; k++)
            {
                var m = Mutate(body, rng);
                if (CanonicalCheck.IsCanonical(m))
                {
                    vouched++;
                    Assert.Equal(m, CanonicalJson.Canonicalize(m));
                }
            }
        }

        Assert.True(vouched > 0); // some mutations (a letter of a text changed) stay canonical: the property was exercised
    }

    private static byte[] Mutate(byte[] body, Random rng)
    {
        var at = rng.Next(body.Length);
        byte[] pick = [(byte)' ', (byte)',', (byte)':', (byte)'"', (byte)'\\', (byte)'0', (byte)'1', (byte)'.', (byte)'e', (byte)'u', (byte)'a', (byte)'z', (byte)'{', (byte)'}', 0xC3, 0x80];
        var b = pick[rng.Next(pick.Length)];
        return rng.Next(3) switch
        {
            0 => [.. body[..at], b, .. body[(at + 1)..]],
            1 => [.. body[..at], b, .. body[at..]],
            _ => [.. body[..at], .. body[(at + 1)..]],
        };
    }
}
