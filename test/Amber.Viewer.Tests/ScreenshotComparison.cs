using SkiaSharp;

namespace Amber.Viewer.Tests;

/// <summary>
/// Compares a screenshot with a stored reference PNG: a pixel differs when any channel differs by more than
/// <see cref="ChannelTolerance"/>, and the images match while at most <see cref="MaxDifferingShare"/> of the pixels
/// differ (font hinting and anti-aliasing move edges by a shade; a changed colour, size or layout moves far more).
/// </summary>
internal static class ScreenshotComparison
{
    public const int ChannelTolerance = 16;

    public const double MaxDifferingShare = 0.005;

    public sealed record Result(bool SameSize, int Width, int Height, long Differing, double Share, SKBitmap? Diff)
    {
        public bool Matches => SameSize && Share <= MaxDifferingShare;

        public override string ToString() => SameSize
            ? $"{Differing} of {(long)Width * Height} pixels differ ({Share:P2}; at most {MaxDifferingShare:P2} may)"
            : "the sizes differ";
    }

    public static Result Compare(byte[] expectedPng, byte[] actualPng)
    {
        using var expected = SKBitmap.Decode(expectedPng) ?? throw new InvalidDataException("the reference image is not a PNG");
        using var actual = SKBitmap.Decode(actualPng) ?? throw new InvalidDataException("the screenshot is not a PNG");
        if (expected.Width != actual.Width || expected.Height != actual.Height)
        {
            return new Result(false, actual.Width, actual.Height, (long)actual.Width * actual.Height, 1, null);
        }

        var diff = new SKBitmap(actual.Width, actual.Height, SKColorType.Rgba8888, SKAlphaType.Premul);
        long differing = 0;
        for (var y = 0; y < actual.Height; y++)
        {
            for (var x = 0; x < actual.Width; x++)
            {
                var a = expected.GetPixel(x, y);
                var b = actual.GetPixel(x, y);
                var delta = Math.Max(Math.Max(Math.Abs(a.Red - b.Red), Math.Abs(a.Green - b.Green)), Math.Max(Math.Abs(a.Blue - b.Blue), Math.Abs(a.Alpha - b.Alpha)));
                if (delta > ChannelTolerance)
                {
                    differing++;
                    diff.SetPixel(x, y, new SKColor(255, 0, 0));
                }
                else
                {
                    var grey = (byte)(200 + ((b.Red + b.Green + b.Blue) / 3 * 55 / 255));
                    diff.SetPixel(x, y, new SKColor(grey, grey, grey));
                }
            }
        }

        return new Result(true, actual.Width, actual.Height, differing, (double)differing / ((long)actual.Width * actual.Height), diff);
    }

    public static void WritePng(SKBitmap bitmap, string path)
    {
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        File.WriteAllBytes(path, data.ToArray());
    }
}
