using System.Security.Cryptography;
using Amber.Core.Crypto;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Amber.Core.Tests.Crypto;

public sealed class KeySealTests
{
    private const string Conversation = "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    [Fact]
    public void Unseal_KSharesOpenedByTheirTrustees_GivesTheDataKey()
    {
        var (trustees, seal, dataKey) = Seal(threshold: 3, count: 5, seed: 1);

        var shares = trustees.Take(3).Select(t => KeySeal.OpenShare(seal, t)).ToList();

        Assert.Equal(dataKey, KeySeal.Unseal(seal, shares));
    }

    [Property(MaxTest = 60)]
    public Property Unseal_AnyKOfN_AfterEncodeDecode_GivesTheDataKey()
        => Prop.ForAll(
            (from n in Gen.Choose(2, 7) from k in Gen.Choose(2, n) from seed in Gen.Choose(0, int.MaxValue) select (k, n, seed)).ToArbitrary(),
            p =>
            {
                var (trustees, seal, dataKey) = Seal(p.k, p.n, p.seed);
                var decoded = SealedKey.Decode(seal.Encode(), "seal");
                var chosen = trustees.ToArray();
                new Random(p.seed).Shuffle(chosen);
                Assert.Equal(dataKey, KeySeal.Unseal(decoded, [.. chosen.Take(p.k).Select(t => KeySeal.OpenShare(decoded, t))]));
            });

    [Fact]
    public void Unseal_KMinusOneShares_FailsSayingHowManyMoreAreNeeded()
    {
        var (trustees, seal, _) = Seal(threshold: 3, count: 5, seed: 2);

        var e = Assert.Throws<KeyAccessException>(() => KeySeal.Unseal(seal, [.. trustees.Take(2).Select(t => KeySeal.OpenShare(seal, t))]));

        Assert.Equal($"2 of the 3 shares needed to unseal conversation {Conversation} were given (trustees: t0, t1, t2, t3, t4); 1 more are needed.", e.Message);
    }

    [Fact]
    public void Unseal_SameShareTwice_CountsOnce()
    {
        var (trustees, seal, _) = Seal(threshold: 2, count: 3, seed: 3);
        var share = KeySeal.OpenShare(seal, trustees[0]);

        Assert.Throws<KeyAccessException>(() => KeySeal.Unseal(seal, [share, share]));
    }

    [Fact]
    public void Unseal_AlteredShare_IsNamedAsWrong()
    {
        var (trustees, seal, _) = Seal(threshold: 2, count: 3, seed: 4);
        var good = KeySeal.OpenShare(seal, trustees[0]);
        var bad = KeySeal.OpenShare(seal, trustees[1]).Value.ToArray();
        bad[5] ^= 0x80;

        var e = Assert.Throws<KeyAccessException>(() => KeySeal.Unseal(seal, [good, new ShamirShare(2, bad)]));

        Assert.Equal($"share 2 (trustee 't1') is wrong: it is not the share sealed for that trustee in the seal of conversation {Conversation}.", e.Message);
    }

    [Fact]
    public void Unseal_ShareOfAnotherSealOfTheSameKey_IsNamedAsWrong()
    {
        var (trustees, seal, dataKey) = Seal(threshold: 2, count: 3, seed: 5);
        var other = KeySeal.Seal("acme", Conversation, dataKey, [.. trustees.Select(t => t.Trustee)], 2, new SeededRandom(99));

        var e = Assert.Throws<KeyAccessException>(() => KeySeal.Unseal(seal, [KeySeal.OpenShare(seal, trustees[0]), KeySeal.OpenShare(other, trustees[1])]));

        Assert.Contains("share 2 (trustee 't1') is wrong", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unseal_ShareChecksPassButCommitmentAltered_IsRefused()
    {
        var (trustees, seal, _) = Seal(threshold: 2, count: 2, seed: 6);
        var bytes = seal.Encode();
        var commitmentAt = 4 + 1 + 1 + 1 + 4 + 1 + Conversation.Length + 2;
        bytes[commitmentAt] ^= 1;
        var altered = SealedKey.Decode(bytes, "seal");

        // The envelopes are bound to the commitment, so a trustee cannot even open a share of the altered seal.
        var e = Assert.Throws<KeyAccessException>(() => KeySeal.OpenShare(altered, trustees[0]));

        Assert.Contains("does not decrypt: the seal record was altered", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OpenShare_KeyOfNoTrustee_SaysWhoTheTrusteesAre()
    {
        var (_, seal, _) = Seal(threshold: 2, count: 2, seed: 7);
        using var stranger = TrusteeKeyPair.Create("mallory", new SeededRandom(1234));

        var e = Assert.Throws<KeyAccessException>(() => KeySeal.OpenShare(seal, stranger));

        Assert.Contains("no share for the key of trustee 'mallory' (its trustees: t0, t1)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Seal_ThresholdOutOfRange_IsRefused()
    {
        using var random = RandomNumberGenerator.Create();
        var trustees = Enumerable.Range(0, 3).Select(i => TrusteeKeyPair.Create("t" + i, random).Trustee).ToList();

        Assert.Throws<ArgumentOutOfRangeException>(() => KeySeal.Seal("acme", Conversation, DataKey.Create(random), trustees, 1, random));
        Assert.Throws<ArgumentOutOfRangeException>(() => KeySeal.Seal("acme", Conversation, DataKey.Create(random), trustees, 4, random));
    }

    [Fact]
    public void Encode_NoShareValueOrDataKeyInTheClear()
    {
        var (trustees, seal, dataKey) = Seal(threshold: 2, count: 3, seed: 8);
        var bytes = seal.Encode();

        Assert.Equal(-1, bytes.AsSpan().IndexOf(dataKey));
        foreach (var t in trustees)
        {
            Assert.Equal(-1, bytes.AsSpan().IndexOf(KeySeal.OpenShare(seal, t).Value.Span));
        }
    }

    [Theory]
    [InlineData(5, 0x02, "format version at byte 4: version 2 is not known")]
    [InlineData(6, 0x09, "scheme at byte 5: scheme 9 is not known")]
    public void Decode_BadHeader_NamesTheField(int offset, byte value, string expected)
    {
        var (_, seal, _) = Seal(threshold: 2, count: 2, seed: 9);
        var bytes = seal.Encode();
        bytes[offset - 1] = value;

        var e = Assert.Throws<KeyRecordException>(() => SealedKey.Decode(bytes, "keys/seal-1"));

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.StartsWith("keys/seal-1: not a valid sealed key record: ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_Truncated_NamesTheShareField()
    {
        var (_, seal, _) = Seal(threshold: 2, count: 2, seed: 10);
        var bytes = seal.Encode();

        var e = Assert.Throws<KeyRecordException>(() => SealedKey.Decode(bytes.AsSpan(0, bytes.Length - 10), "seal"));

        Assert.Contains("share 2 check", e.Message, StringComparison.Ordinal);
    }

    private static (List<TrusteeKeyPair> Trustees, SealedKey Seal, byte[] DataKey) Seal(int threshold, int count, int seed)
    {
        var random = new SeededRandom(seed);
        var trustees = Enumerable.Range(0, count).Select(i => TrusteeKeyPair.Create("t" + i, random)).ToList();
        var dataKey = DataKey.Create(random);
        var seal = KeySeal.Seal("acme", Conversation, dataKey, [.. trustees.Select(t => t.Trustee)], threshold, random);
        return (trustees, seal, dataKey);
    }
}
