using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amber.Core.Json;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Amber.Core.Tests.Json;

/// <summary>Properties of RFC 8785 canonicalization over generated I-JSON values.</summary>
public sealed class CanonicalJsonProperties
{
    [Property(MaxTest = 500)]
    public Property Canonicalize_RandomObject_SortsMembersByUtf16CodeUnits()
        => Prop.ForAll(JsonGenerators.Object.ToArbitrary(), obj =>
        {
            var canonical = CanonicalJson.Canonicalize(obj);
            using var doc = JsonDocument.Parse(canonical);
            AssertSorted(doc.RootElement);
        });

    [Property(MaxTest = 500)]
    public Property Canonicalize_CanonicalOutput_IsUnchanged()
        => Prop.ForAll(JsonGenerators.Value.ToArbitrary(), value =>
        {
            var once = CanonicalJson.Canonicalize(value);
            var twice = CanonicalJson.Canonicalize(once);
            Assert.Equal(once, twice);
        });

    [Property(MaxTest = 500)]
    public Property Canonicalize_ParsedBack_DeepEqualsInput()
        => Prop.ForAll(JsonGenerators.Value.ToArbitrary(), value =>
        {
            var parsed = JsonNode.Parse(CanonicalJson.Canonicalize(value));
            Assert.True(JsonNode.DeepEquals(value, parsed), $"{value?.ToJsonString() ?? "null"} came back as {parsed?.ToJsonString() ?? "null"}");
        });

    [Property(MaxTest = 500)]
    public Property Canonicalize_TextAndNodeInputs_GiveSameBytes()
        => Prop.ForAll(JsonGenerators.Value.ToArbitrary(), value =>
            Assert.Equal(CanonicalJson.Canonicalize(value), CanonicalJson.Canonicalize(JsonGenerators.ToUtf8(value))));

    [Property(MaxTest = 500)]
    public Property Canonicalize_ShuffledMembers_GiveSameBytes()
        => Prop.ForAll(JsonGenerators.Object.ToArbitrary(), obj =>
        {
            var reversed = new JsonObject(obj.Reverse().Select(p => KeyValuePair.Create(p.Key, p.Value?.DeepClone())));
            Assert.Equal(CanonicalJson.Canonicalize(obj), CanonicalJson.Canonicalize(reversed));
        });

    /// <summary>
    /// Strings of arbitrary UTF-16 code units (controls, quotes, backslashes, surrogate pairs, lone surrogates, at any
    /// position) against a character-by-character oracle written from RFC 8785 §3.2.2.2: the same bytes, or both refuse.
    /// </summary>
    [Property(MaxTest = 10_000)]
    public Property Canonicalize_AnyString_MatchesTheRfc8785EscapingOracle()
    {
        var unit = Gen.OneOf(
            Gen.Choose(0, 0x24).Select(c => (char)c),
            Gen.Elements('"', '\\', 'a', 'é', '€', '\u2028', '\uFFFF'),
            Gen.Choose(0xD7F0, 0xE010).Select(c => (char)c));
        var text = Gen.ListOf(unit).Select(cs => new string([.. cs]));
        return Prop.ForAll(text.ToArbitrary(), s =>
        {
            byte[]? expected;
            try
            {
                expected = Oracle(s);
            }
            catch (InvalidOperationException)
            {
                expected = null;
            }

            if (expected is null)
            {
                Assert.Throws<CanonicalJsonException>(() => CanonicalJson.Canonicalize(JsonValue.Create(s)));
            }
            else
            {
                Assert.Equal(expected, CanonicalJson.Canonicalize(JsonValue.Create(s)));
            }
        });

        static byte[] Oracle(string s)
        {
            var sb = new System.Text.StringBuilder("\"");
            for (var i = 0; i < s.Length; i++)
            {
                var c = s[i];
                if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
                {
                    sb.Append(c).Append(s[++i]);
                }
                else if (char.IsSurrogate(c))
                {
                    throw new InvalidOperationException("lone surrogate");
                }
                else
                {
                    sb.Append(c switch
                    {
                        '"' => "\\\"",
                        '\\' => "\\\\",
                        '\b' => "\\b",
                        '\f' => "\\f",
                        '\n' => "\\n",
                        '\r' => "\\r",
                        '\t' => "\\t",
                        < ' ' => "\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture),
                        _ => c.ToString(),
                    });
                }
            }

            return System.Text.Encoding.UTF8.GetBytes(sb.Append('"').ToString());
        }
    }

    [Property(MaxTest = 10_000)]
    public Property FormatNumber_FiniteDouble_RoundTripsExactly()
        => Prop.ForAll(JsonGenerators.FiniteDouble.ToArbitrary(), d =>
        {
            var text = CanonicalJson.FormatNumber(d);
            Assert.Equal(d, double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture));
        });

    [Property(MaxTest = 10_000)]
    public Property FormatNumber_FiniteDouble_HasEcmaScriptShape()
        => Prop.ForAll(JsonGenerators.FiniteDouble.ToArbitrary(), d =>
        {
            var text = CanonicalJson.FormatNumber(d);
            var abs = Math.Abs(d);

            // ECMAScript writes plain digits exactly when 1e-6 <= |d| < 1e21 (or d is 0), else an exponent.
            var plain = abs == 0 || (abs >= 1e-6 && abs < 1e21);
            Assert.Equal(plain, !text.Contains('e', StringComparison.Ordinal));

            // Lowercase e, explicit exponent sign, no leading zeros in the exponent, no trailing fraction zeros.
            var mantissa = text.Split('e')[0];
            Assert.DoesNotContain("E", text, StringComparison.Ordinal);
            Assert.False(text.Contains("e+0", StringComparison.Ordinal) || text.Contains("e-0", StringComparison.Ordinal), text);
            Assert.False(mantissa.Contains('.', StringComparison.Ordinal) && mantissa.EndsWith('0'), text);
        });

    private static void AssertSorted(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                string? previous = null;
                foreach (var p in element.EnumerateObject())
                {
                    Assert.True(previous is null || string.CompareOrdinal(previous, p.Name) < 0, $"\"{previous}\" is not before \"{p.Name}\"");
                    previous = p.Name;
                    AssertSorted(p.Value);
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    AssertSorted(item);
                }

                break;
        }
    }
}
