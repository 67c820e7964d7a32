// WebKitWebDriver takes a screenshot only after the page's *next* presentation update; a page
// at rest never paints again, so the command hangs (seen with WebKitGTK under Xvfb). Repaint a
// 1-pixel, invisible element for a moment so that an update is sure to come.
export async function saveScreenshot(file) {
  await browser.execute(() => {
    const el = document.createElement('div');
    el.setAttribute('aria-hidden', 'true');
    el.style.cssText = 'position:fixed;left:0;top:0;width:1px;height:1px;pointer-events:none;opacity:0';
    document.body.appendChild(el);
    let n = 0;
    const id = setInterval(() => {
      el.style.opacity = n % 2 ? '0' : '0.01';
      n += 1;
      if (n > 100) {
        clearInterval(id);
        el.remove();
      }
    }, 30);
  });
  return browser.saveScreenshot(file);
}
