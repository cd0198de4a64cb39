using System.Text;
using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;

namespace Amber.Core.Tests.Json;

/// <summary>FsCheck generators for I-JSON values: finite numbers, well-formed strings, unique member names.</summary>
internal static class JsonGenerators
{
    // Fragments chosen to stress escaping and ordering: controls, quotes, non-ASCII, and characters whose
    // UTF-16 order differs from their code point order (U+E000/U+FB33/U+FFFD sort after surrogate pairs).
    private static readonly string[] Fragments =
    [
        "a", "b", "A", "Z", "0", "1", "10", "_", " ", "é", "ö", "€", "\u0080", "\u007f", "\u001f", "\u0000",
        "\n", "\r", "\t", "\b", "\f", "\"", "\\", "/", "<", "\U0001F602", "\U00010000", "\U0010FFFF", "\uE000",
        "\uFB33", "\uFFFD", "\u2028", "A\u030a",
    ];

    public static Gen<double> AnyFiniteDouble { get; } =
        Gen.ArrayOf(Gen.Choose(0, 255), 8)
            .Select(b => BitConverter.ToDouble(b.Select(x => (byte)x).ToArray()))
            .Where(double.IsFinite);

    /// <summary>Doubles from every range: raw bit patterns, small integers, decimal fractions, powers of ten.</summary>
    public static Gen<double> FiniteDouble { get; } = Gen.OneOf(
        AnyFiniteDouble,
        Gen.Choose(-1_000_000, 1_000_000).Select(i => (double)i),
        Gen.Zip(Gen.Choose(-1_000_000, 1_000_000), Gen.Choose(0, 12)).Select(p => p.Item1 / Math.Pow(10, p.Item2)),
        Gen.Zip(Gen.Choose(1, 999_999), Gen.Choose(-330, 310)).Select(p => p.Item1 * Math.Pow(10, p.Item2)).Where(double.IsFinite));

    public static Gen<string> Text { get; } = Gen.OneOf(
        Gen.Choose(0, 6).SelectMany(n => Gen.ArrayOf(Gen.Elements(Fragments), n)).Select(string.Concat),
        Gen.Choose(0, 6).SelectMany(n => Gen.ArrayOf(ScalarValue, n)).Select(cs => string.Concat(cs)));

    public static Gen<JsonNode?> Value { get; } = Gen.Sized(size => ValueOfSize(Math.Min(size, 30)));

    public static Gen<JsonObject> Object { get; } = Gen.Sized(size => ObjectOfSize(Math.Max(Math.Min(size, 30), 1)));

    // Any Unicode scalar value (never a lone surrogate), as a string of one or two UTF-16 code units.
    private static Gen<string> ScalarValue { get; } =
        Gen.Choose(0, 0x10FFFF).Where(cp => cp is < 0xD800 or > 0xDFFF).Select(char.ConvertFromUtf32);

    // New JsonNode instances on every draw: a node can have only one parent.
    private static Gen<JsonNode?> Leaf { get; } = Gen.Frequency(
        (1, Gen.Constant(0).Select(_ => (JsonNode?)null)),
        (1, Gen.Elements(true, false).Select(b => (JsonNode?)JsonValue.Create(b))),
        (3, FiniteDouble.Select(d => (JsonNode?)JsonValue.Create(d))),
        (2, Gen.Choose(int.MinValue, int.MaxValue).Select(i => (JsonNode?)JsonValue.Create(i))),
        (3, Text.Select(s => (JsonNode?)JsonValue.Create(s))));

    private static Gen<JsonNode?> ValueOfSize(int size) => size <= 1
        ? Leaf
        : Gen.Frequency(
            (4, Leaf),
            (1, ArrayOfSize(size)),
            (1, ObjectOfSize(size).Select(o => (JsonNode?)o)));

    private static Gen<JsonNode?> ArrayOfSize(int size) =>
        Gen.Choose(0, 5).SelectMany(n => Gen.ArrayOf(ValueOfSize(size / 2), n)).Select(items => (JsonNode?)new JsonArray(items));

    private static Gen<JsonObject> ObjectOfSize(int size) =>
        Gen.Choose(0, 6)
            .SelectMany(n => Gen.ArrayOf(Gen.Zip(Text, ValueOfSize(size / 2)), n))
            .Select(members =>
            {
                var o = new JsonObject();
                foreach (var (name, value) in members)
                {
                    o.TryAdd(name, value);
                }

                return o;
            });

    /// <summary>Renders a value's text with every non-ASCII character escaped, the way many producers do.</summary>
    public static byte[] ToUtf8(JsonNode? value) => Encoding.UTF8.GetBytes(value?.ToJsonString() ?? "null");
}
