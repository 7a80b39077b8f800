// The gateway's live payment status widget for an ASP.NET (.NET Framework 4.x) page.
//
//   Payment status: <%: AlipayNotify.AlipayStatusWidget.Html(orderNo, "zh") %>
//
// renders one element and the gateway's /alipay/status.js; the buyer sees "等待付款…" turn into
// "已支付 ✓ ¥88.88" (or "closed") without reloading, the moment Alipay's notification reaches
// the gateway. The page signs which order may be watched and until when, with the gateway's
// STATUS_SECRET:
//   data-sig = lowercase hex HMAC-SHA256(key = UTF-8 of STATUS_SECRET, app_id + "." + out_trade_no + "." + exp)
// Sign only the visitor's own order (e.g. the one in their Session): the widget shows its status
// and amount, never anything about the buyer.
//
// web.config:
//   <appSettings>
//     <add key="AlipayEdge.StatusSecret" value="..." />              (the gateway's STATUS_SECRET)
//     <add key="AlipayEdge.AppId" value="2021000000000000" />
//     <add key="AlipayEdge.GatewayUrl" value="https://pay-gateway.example.com" />
//   </appSettings>
//
// Test vector: secret "status-secret-example-0123456789abcdef", app_id "2021000000000000",
// out_trade_no "DEMO-20260501-0001", exp 1777600000
//   -> 3f40757e22ebbfe43e18e24867c302964ad0241073e3efb8d1a9d5082b874dce
//
// C# 5, .NET Framework 4.0+, like AlipayNotifyHandler.cs.
using System;
using System.Configuration;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Web;

namespace AlipayNotify
{
    public static class AlipayStatusWidget
    {
        // Long enough to pay; a shared link goes stale.
        private const long LinkTtlSeconds = 2 * 60 * 60;
        private static readonly DateTime UnixEpoch = new DateTime(1970, 1, 1, 0, 0, 0, DateTimeKind.Utc);

        /// <summary>The element and script tag for one order; empty when StatusSecret is not configured.</summary>
        public static IHtmlString Html(string outTradeNo, string lang)
        {
            // Trimmed as the gateway trims its STATUS_SECRET, so a pasted space or line break
            // does not make every signature wrong.
            string secret = (ConfigurationManager.AppSettings["AlipayEdge.StatusSecret"] ?? "").Trim();
            string appId = ConfigurationManager.AppSettings["AlipayEdge.AppId"];
            string gateway = (ConfigurationManager.AppSettings["AlipayEdge.GatewayUrl"] ?? "").TrimEnd('/');
            if (secret.Length < 32 || string.IsNullOrEmpty(appId) || string.IsNullOrEmpty(outTradeNo))
            {
                return new HtmlString("");
            }
            long exp = (long)(DateTime.UtcNow - UnixEpoch).TotalSeconds + LinkTtlSeconds;
            string sig = Sign(secret, appId, outTradeNo, exp);
            StringBuilder html = new StringBuilder();
            html.Append("<span data-alipay-status data-app-id=\"").Append(HttpUtility.HtmlAttributeEncode(appId))
                .Append("\" data-out-trade-no=\"").Append(HttpUtility.HtmlAttributeEncode(outTradeNo))
                .Append("\" data-exp=\"").Append(exp.ToString(CultureInfo.InvariantCulture))
                .Append("\" data-sig=\"").Append(sig).Append("\"");
            if (lang == "zh" || lang == "en") html.Append(" data-lang=\"").Append(lang).Append("\"");
            html.Append("></span>\r\n<script src=\"").Append(HttpUtility.HtmlAttributeEncode(gateway))
                .Append("/alipay/status.js\" async></script>");
            return new HtmlString(html.ToString());
        }

        /// <summary>Lowercase hex HMAC-SHA256 of "app_id.out_trade_no.exp", keyed with the UTF-8 bytes of the secret.</summary>
        public static string Sign(string secret, string appId, string outTradeNo, long exp)
        {
            string message = appId + "." + outTradeNo + "." + exp.ToString(CultureInfo.InvariantCulture);
            using (HMACSHA256 hmac = new HMACSHA256(Encoding.UTF8.GetBytes(secret.Trim()))) // the gateway trims it too
            {
                byte[] mac = hmac.ComputeHash(Encoding.UTF8.GetBytes(message));
                StringBuilder hex = new StringBuilder(mac.Length * 2);
                foreach (byte b in mac) hex.Append(b.ToString("x2", CultureInfo.InvariantCulture));
                return hex.ToString();
            }
        }
    }
}
