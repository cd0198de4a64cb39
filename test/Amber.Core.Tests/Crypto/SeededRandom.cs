using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Amber.Core.Tests.Crypto;

/// <summary>A reproducible byte stream for tests (SHA-256 of seed ‖ counter), or a fixed script of bytes for vectors.</summary>
internal sealed class SeededRandom : RandomNumberGenerator
{
    private readonly byte[] seed;
    private readonly Queue<byte> script;
    private ulong counter;
    private byte[] block = [];
    private int used;

    public SeededRandom(int seed, params byte[] script)
    {
        this.seed = BitConverter.GetBytes(seed);
        this.script = new Queue<byte>(script);
    }

    public override void GetBytes(byte[] data) => GetBytes(data.AsSpan());

    public override void GetBytes(byte[] data, int offset, int count) => GetBytes(data.AsSpan(offset, count));

    public override void GetBytes(Span<byte> data)
    {
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = script.Count > 0 ? script.Dequeue() : Next();
        }
    }

    public override void GetNonZeroBytes(byte[] data) => throw new NotSupportedException("not used by Amber");

    private byte Next()
    {
        if (used == block.Length)
        {
            var input = new byte[seed.Length + 8];
            seed.CopyTo(input, 0);
            BinaryPrimitives.WriteUInt64BigEndian(input.AsSpan(seed.Length), counter++);
            block = SHA256.HashData(input);
            used = 0;
        }

        return block[used++];
    }
}
