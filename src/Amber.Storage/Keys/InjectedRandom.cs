using System.Security.Cryptography;

namespace Amber.Storage.Keys;

/// <summary>The archive's injected randomness (<see cref="ArchiveOptions.Random"/>) as the generator the crypto components take.</summary>
internal sealed class InjectedRandom(Action<Span<byte>> fill) : RandomNumberGenerator
{
    public override void GetBytes(byte[] data) => fill(data);

    public override void GetBytes(byte[] data, int offset, int count) => fill(data.AsSpan(offset, count));

    public override void GetBytes(Span<byte> data) => fill(data);

    public override void GetNonZeroBytes(byte[] data) => GetNonZeroBytes(data.AsSpan());

    public override void GetNonZeroBytes(Span<byte> data)
    {
        fill(data);
        for (var i = 0; i < data.Length; i++)
        {
            while (data[i] == 0)
            {
                fill(data.Slice(i, 1));
            }
        }
    }
}
