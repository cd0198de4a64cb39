using System.Security.Cryptography;

namespace Amber.Storage.Keys;

/// <summary>
/// The archive's injected randomness (<see cref="ArchiveOptions.Random"/>) as the generator the crypto components take.
/// Calls are serialised: the writer's nonces and the keys made ahead on a background task (<see cref="SparePool"/>)
/// share it, and an injected source (a seeded <see cref="System.Random"/> in tests) need not be thread-safe.
/// </summary>
internal sealed class InjectedRandom(Action<Span<byte>> source) : RandomNumberGenerator
{
    private readonly Lock gate = new();

    public override void GetBytes(byte[] data) => FromSource(data);

    public override void GetBytes(byte[] data, int offset, int count) => FromSource(data.AsSpan(offset, count));

    public override void GetBytes(Span<byte> data) => FromSource(data);

    public override void GetNonZeroBytes(byte[] data) => GetNonZeroBytes(data.AsSpan());

    public override void GetNonZeroBytes(Span<byte> data)
    {
        FromSource(data);
        for (var i = 0; i < data.Length; i++)
        {
            while (data[i] == 0)
            {
                FromSource(data.Slice(i, 1));
            }
        }
    }

    private void FromSource(Span<byte> data)
    {
        lock (gate)
        {
            source(data);
        }
    }
}
