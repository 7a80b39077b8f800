// Telling the gateway about an order before the buyer pays (POST /alipay/orders), for ASP.NET
// (.NET Framework 4.x):
//
//   // the order is saved; just before redirecting the buyer to Alipay:
//   AlipayNotify.AlipayOrderRegistration.Register(orderNo, 88.80m, TimeSpan.FromMinutes(30));
//
// With the order registered, the gateway asks Alipay (alipay.trade.query) about it while it is
// unpaid, so a payment whose notification never arrives still reaches the handler; and a payment
// of another amount is held for a person instead of being forwarded as paid. Registering never
// stands in the way of checkout: when the gateway cannot be reached within 5 seconds, Register
// returns false and the buyer pays as before (the notification still works).
//
// The registration is signed with the gateway's STATUS_SECRET:
//   sig = lowercase hex HMAC-SHA256(key = UTF-8 of STATUS_SECRET,
//                                   "order." + app_id + "." + out_trade_no + "." + total_amount + "." + expire)
// total_amount is yuan with exactly two decimals ("88.80"), expire Unix seconds: when the order
// can no longer be paid (the same timeout you give Alipay).
//
// web.config (the same keys as AlipayStatusWidget.cs):
//   <appSettings>
//     <add key="AlipayEdge.StatusSecret" value="..." />              (the gateway's STATUS_SECRET)
//     <add key="AlipayEdge.AppId" value="2021000000000000" />
//     <add key="AlipayEdge.GatewayUrl" value="https://pay-gateway.example.com" />
//   </appSettings>
//
// Test vector: secret "status-secret-example-0123456789abcdef", app_id "2021000000000000",
// out_trade_no "DEMO-20260501-0001", total_amount "88.80", expire 1777600000
//   -> 4d3f9cf2b7ebca08de3c5c422dd68844bb2a5726b150fedb00c057834f79e608
//
// C# 5, .NET Framework 4.0+, like AlipayNotifyHandler.cs.
using System;
using System.Collections.Specialized;
using System.Configuration;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace AlipayNotify
{
    public static class AlipayOrderRegistration
    {
        private static readonly DateTime UnixEpoch = new DateTime(1970, 1, 1, 0, 0, 0, DateTimeKind.Utc);

        private sealed class TimedWebClient : WebClient
        {
            protected override WebRequest GetWebRequest(Uri address)
            {
                WebRequest request = base.GetWebRequest(address);
                request.Timeout = 5000;
                return request;
            }
        }

        /// <summary>True when the gateway accepted the registration; false (never an exception) otherwise.</summary>
        public static bool Register(string outTradeNo, decimal totalAmount, TimeSpan payableFor)
        {
            // Trimmed as the gateway trims its STATUS_SECRET, so a pasted space or line break
            // does not make every signature wrong.
            string secret = (ConfigurationManager.AppSettings["AlipayEdge.StatusSecret"] ?? "").Trim();
            string appId = ConfigurationManager.AppSettings["AlipayEdge.AppId"];
            string gateway = (ConfigurationManager.AppSettings["AlipayEdge.GatewayUrl"] ?? "").TrimEnd('/');
            if (secret.Length < 32 || string.IsNullOrEmpty(appId) || string.IsNullOrEmpty(outTradeNo) || gateway.Length == 0)
            {
                return false;
            }
            string amount = totalAmount.ToString("0.00", CultureInfo.InvariantCulture);
            long expire = (long)(DateTime.UtcNow - UnixEpoch).TotalSeconds + (long)payableFor.TotalSeconds;
            NameValueCollection form = new NameValueCollection();
            form["app_id"] = appId;
            form["out_trade_no"] = outTradeNo;
            form["total_amount"] = amount;
            form["expire"] = expire.ToString(CultureInfo.InvariantCulture);
            form["sig"] = Sign(secret, appId, outTradeNo, amount, expire);
            try
            {
                using (TimedWebClient client = new TimedWebClient())
                {
                    client.UploadValues(gateway + "/alipay/orders", "POST", form);
                    return true; // a non-2xx answer throws WebException
                }
            }
            catch (WebException)
            {
                return false;
            }
        }

        /// <summary>Lowercase hex HMAC-SHA256 of "order.app_id.out_trade_no.total_amount.expire", keyed with the UTF-8 bytes of the secret.</summary>
        public static string Sign(string secret, string appId, string outTradeNo, string totalAmount, long expire)
        {
            string message = "order." + appId + "." + outTradeNo + "." + totalAmount + "." + expire.ToString(CultureInfo.InvariantCulture);
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
