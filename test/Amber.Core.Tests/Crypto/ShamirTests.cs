using Amber.Core.Crypto;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Amber.Core.Tests.Crypto;

public sealed class ShamirTests
{
    /// <summary>A split: threshold K, share count N, the secret, and a seed for the coefficients and the subsets.</summary>
    private static Arbitrary<(int K, int N, byte[] Secret, int Seed)> Splits =>
        (from n in Gen.Choose(1, 12)
         from k in Gen.Choose(1, n)
         from length in Gen.Choose(1, 48)
         from secret in Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b), length)
         from seed in Gen.Choose(0, int.MaxValue)
         select (k, n, secret, seed)).ToArbitrary();

    [Property(MaxTest = 300)]
    public Property Combine_AnyKOfN_GivesTheSecret()
        => Prop.ForAll(Splits, s =>
        {
            var shares = Shamir.Split(s.Secret, s.K, s.N, new SeededRandom(s.Seed));
            var subset = Subset(shares, s.Seed, s.K);
            Assert.Equal(s.Secret, Shamir.Combine(subset));
        });

    [Property(MaxTest = 300)]
    public Property Combine_MoreThanK_GivesTheSecret()
        => Prop.ForAll(Splits, s =>
            Assert.Equal(s.Secret, Shamir.Combine(Shamir.Split(s.Secret, s.K, s.N, new SeededRandom(s.Seed)))));

    [Property(MaxTest = 300)]
    public Property Combine_KMinusOne_DoesNotGiveTheSecret()
        => Prop.ForAll(Splits.Filter(s => s.K >= 2 && s.Secret.Length >= 16), s =>
        {
            var shares = Subset(Shamir.Split(s.Secret, s.K, s.N, new SeededRandom(s.Seed)), s.Seed, s.K - 1);
            Assert.NotEqual(s.Secret, Shamir.Combine(shares)); // equal only with probability 256^-16
        });

    [Property(MaxTest = 300)]
    public Property Combine_OneShareAltered_GivesAnotherSecretSilently()
        => Prop.ForAll(Splits.Filter(s => s.K >= 2), s =>
        {
            // Why a seal keeps a commitment and per-share checks: interpolation itself never notices a wrong share.
            var shares = Subset(Shamir.Split(s.Secret, s.K, s.N, new SeededRandom(s.Seed)), s.Seed, s.K);
            var value = shares[0].Value.ToArray();
            value[s.Seed % value.Length] ^= 0x01;
            shares[0] = new ShamirShare(shares[0].Index, value);
            Assert.NotEqual(s.Secret, Shamir.Combine(shares));
        });

    [Fact]
    public void Gf256_EveryNonZeroElement_TimesItsInverseIsOne()
    {
        for (var a = 1; a < 256; a++)
        {
            Assert.Equal(1, Gf256.Multiply((byte)a, Gf256.Inverse((byte)a)));
        }
    }

    [Fact]
    public void Gf256_Multiply_MatchesFips197Examples()
    {
        // FIPS 197 §4.2: {57} • {83} = {c1}; §4.2.1: {57} • {13} = {fe}; {53} • {ca} = {01} (the inverse pair of §5.1.1).
        Assert.Equal(0xc1, Gf256.Multiply(0x57, 0x83));
        Assert.Equal(0xfe, Gf256.Multiply(0x57, 0x13));
        Assert.Equal(0x01, Gf256.Multiply(0x53, 0xca));
    }

    [Fact]
    public void Combine_DuplicateIndexOrMixedLengths_IsRefused()
    {
        var shares = Shamir.Split(new byte[] { 1, 2, 3 }, 2, 3, new SeededRandom(1));

        Assert.Contains("given twice", Assert.Throws<ArgumentException>(() => Shamir.Combine([shares[0], shares[0]])).Message, StringComparison.Ordinal);
        Assert.Contains("not shares of one secret", Assert.Throws<ArgumentException>(() => Shamir.Combine([shares[0], new ShamirShare(2, new byte[] { 1 })])).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Split_BadThreshold_IsRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Shamir.Split(new byte[] { 1 }, 4, 3, new SeededRandom(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Shamir.Split(new byte[] { 1 }, 0, 3, new SeededRandom(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Shamir.Split(new byte[] { 1 }, 1, 256, new SeededRandom(1)));
    }

    /// <summary><paramref name="count"/> of the shares, in an order and choice fixed by <paramref name="seed"/>.</summary>
    internal static List<ShamirShare> Subset(IReadOnlyList<ShamirShare> shares, int seed, int count)
    {
        var all = shares.ToArray();
        new Random(seed).Shuffle(all);
        return [.. all.Take(count)];
    }
}
