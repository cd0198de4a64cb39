using System.Globalization;
using Amber.Cli.Infrastructure.Settings;
using Amber.Core.Cost;

namespace Amber.Cli.Commands.Cost;

/// <summary>The price table and storage prices the settings name (amber.json, AMBER_COST__*, flags): <c>amber cost</c>'s and the dashboard's.</summary>
internal static class CostSettings
{
    /// <summary>Amber's dated table, with a <c>--prices</c> file's entries over it; the storage prices, checked.</summary>
    public static (PriceTable Prices, string? PricesFile, StoragePrices Storage) Load(EffectiveSettings settings)
    {
        var prices = PriceTable.Default;
        var file = settings[SettingsCatalogue.CostPrices].Value;
        if (file is not null)
        {
            file = Path.GetFullPath(file);
            if (!File.Exists(file))
            {
                throw new FileNotFoundException($"--prices: {file} does not exist.", file);
            }

            prices = prices.With(PriceTable.Parse(File.ReadAllText(file), file));
        }

        var price = settings[SettingsCatalogue.CostStoragePrice];
        var storage = new StoragePrices
        {
            UsdPerGbMonth = Number(price),
            Source = price.Source == "default" ? StoragePrices.DefaultSource : $"configured ({price.Source})",
            Replicas = Whole(settings[SettingsCatalogue.CostReplicas]),
            HorizonYears = Number(settings[SettingsCatalogue.CostHorizonYears]),
        };
        try
        {
            return (prices, file, storage.Validated());
        }
        catch (ArgumentException e)
        {
            throw new FormatException(e.Message, e);
        }
    }

    private static int Whole(SettingValue value)
        => Number(value) is var d && d == decimal.Truncate(d) && d is >= 0 and <= int.MaxValue
            ? (int)d
            : throw new FormatException($"{value.Setting.Flag} ({value.Source}): \"{value.Value}\" is not a whole number of copies.");

    private static decimal Number(SettingValue value)
        => decimal.TryParse(value.Value, NumberStyles.Number, CultureInfo.InvariantCulture, out var d)
            ? d
            : throw new FormatException($"{value.Setting.Flag} ({value.Source}): \"{value.Value}\" is not a number.");
}
