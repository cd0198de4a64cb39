using System.Globalization;
using System.Text.Json.Nodes;
using Amber.Core.Json;

namespace Amber.Core.Tests.Json;

/// <summary>Number serialization as ECMAScript's Number.prototype.toString (RFC 8785 §3.2.2.3, Appendix B).</summary>
public sealed class CanonicalJsonNumberTests
{
    // RFC 8785 Appendix B: IEEE 754 bit patterns and their canonical form (each also checked against a JavaScript engine).
    [Theory]
    [InlineData("0000000000000000", "0")]
    [InlineData("8000000000000000", "0")]
    [InlineData("0000000000000001", "5e-324")]
    [InlineData("8000000000000001", "-5e-324")]
    [InlineData("7fefffffffffffff", "1.7976931348623157e+308")]
    [InlineData("ffefffffffffffff", "-1.7976931348623157e+308")]
    [InlineData("4340000000000000", "9007199254740992")]
    [InlineData("c340000000000000", "-9007199254740992")]
    [InlineData("4430000000000000", "295147905179352830000")]
    [InlineData("44b52d02c7e14af5", "9.999999999999997e+22")]
    [InlineData("44b52d02c7e14af6", "1e+23")]
    [InlineData("44b52d02c7e14af7", "1.0000000000000001e+23")]
    [InlineData("444b1ae4d6e2ef4e", "999999999999999700000")]
    [InlineData("444b1ae4d6e2ef4f", "999999999999999900000")]
    [InlineData("444b1ae4d6e2ef50", "1e+21")]
    [InlineData("3eb0c6f7a0b5ed8c", "9.999999999999997e-7")]
    [InlineData("3eb0c6f7a0b5ed8d", "0.000001")]
    [InlineData("41b3de4355555553", "333333333.3333332")]
    [InlineData("41b3de4355555554", "333333333.33333325")]
    [InlineData("41b3de4355555555", "333333333.3333333")]
    [InlineData("41b3de4355555556", "333333333.3333334")]
    [InlineData("41b3de4355555557", "333333333.33333343")]
    [InlineData("becbf647612f3696", "-0.0000033333333333333333")]
    [InlineData("43143ff3c1cb0959", "1424953923781206.2")]
    public void FormatNumber_Rfc8785AppendixB_MatchesEcmaScript(string ieeeHex, string expected)
    {
        var value = BitConverter.Int64BitsToDouble(long.Parse(ieeeHex, NumberStyles.HexNumber, CultureInfo.InvariantCulture));

        Assert.Equal(expected, CanonicalJson.FormatNumber(value));
    }

    [Theory]
    [InlineData("1e+20", "100000000000000000000")]
    [InlineData("1e20", "100000000000000000000")]
    [InlineData("1e21", "1e+21")]
    [InlineData("1E30", "1e+30")]
    [InlineData("1e-7", "1e-7")]
    [InlineData("1.5e-7", "1.5e-7")]
    [InlineData("0.000001", "0.000001")]
    [InlineData("0.0000015", "0.0000015")]
    [InlineData("-0", "0")]
    [InlineData("-0.0", "0")]
    [InlineData("0.0", "0")]
    [InlineData("333333333.33333329", "333333333.3333333")]
    [InlineData("4.50", "4.5")]
    [InlineData("56.0", "56")]
    [InlineData("2e-3", "0.002")]
    [InlineData("0.000000000000000000000000001", "1e-27")]
    [InlineData("1e-27", "1e-27")]
    [InlineData("5e-324", "5e-324")]
    [InlineData("1.7976931348623157e308", "1.7976931348623157e+308")]
    [InlineData("9007199254740992", "9007199254740992")]
    [InlineData("123456789012345678901", "123456789012345680000")]
    [InlineData("0.1", "0.1")]
    [InlineData("-1.5", "-1.5")]
    [InlineData("100", "100")]
    public void Canonicalize_NumberLiteral_UsesEcmaScriptForm(string literal, string expected)
    {
        Assert.Equal("[" + expected + "]", CanonicalJson.Canonicalize("[" + literal + "]"));
    }

    [Fact]
    public void FormatNumber_NegativeZero_IsZero()
    {
        Assert.Equal("0", CanonicalJson.FormatNumber(-0.0));
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void FormatNumber_NotFinite_Throws(double value)
    {
        Assert.Throws<CanonicalJsonException>(() => CanonicalJson.FormatNumber(value));
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void Canonicalize_JsonNodeHoldingNotFiniteDouble_Throws(double value)
    {
        var node = new JsonObject { ["x"] = value };

        Assert.Throws<CanonicalJsonException>(() => CanonicalJson.Canonicalize(node));
    }

    [Theory]
    [InlineData("1e400")]
    [InlineData("-1e400")]
    public void Canonicalize_NumberBeyondDoubleRange_Throws(string literal)
    {
        Assert.Throws<CanonicalJsonException>(() => CanonicalJson.Canonicalize("[" + literal + "]"));
    }

    [Fact]
    public void Canonicalize_JsonNodeNumbersOfEveryClrType_MatchTextForm()
    {
        var node = new JsonArray(4.5, 7, 7L, 7UL, 4.5m, 0.5f, (short)-3, 1e21);

        Assert.Equal("[4.5,7,7,7,4.5,0.5,-3,1e+21]", System.Text.Encoding.UTF8.GetString(CanonicalJson.Canonicalize(node)));
    }
}
