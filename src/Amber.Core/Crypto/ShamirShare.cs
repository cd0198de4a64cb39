namespace Amber.Core.Crypto;

/// <summary>One share of a secret split with <see cref="Shamir"/>: the x coordinate (1–255) and one y byte per secret byte.</summary>
public sealed class ShamirShare
{
    public ShamirShare(byte index, ReadOnlySpan<byte> value)
    {
        if (index == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(index), "a share's index is 1 to 255 (index 0 is the secret itself).");
        }

        if (value.IsEmpty)
        {
            throw new ArgumentException("a share holds at least one byte.", nameof(value));
        }

        Index = index;
        Value = value.ToArray();
    }

    public byte Index { get; }

    public ReadOnlyMemory<byte> Value { get; }
}
