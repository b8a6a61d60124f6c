// The in-page confirmation dialog. It uses the native <dialog> element in modal mode, which keeps focus inside the
// dialog and closes on Escape; focus returns to the control that opened it.

const dialog = () => document.getElementById('confirm-dialog');

/**
 * Shows the confirmation dialog and resolves to true when the operator accepts, false when they go back or press
 * Escape. The safe choice ("Go back") has the initial focus, so an accidental Enter does nothing harmful.
 */
export function confirmAction({ title, message, acceptLabel }) {
  const element = dialog();
  const opener = document.activeElement;
  document.getElementById('confirm-title').textContent = title;
  document.getElementById('confirm-message').textContent = message;
  document.getElementById('confirm-accept').textContent = acceptLabel;
  element.returnValue = '';
  return new Promise((resolve) => {
    element.addEventListener('close', () => {
      if (opener instanceof HTMLElement && opener.isConnected) {
        opener.focus();
      }

      resolve(element.returnValue === 'accept');
    }, { once: true });
    element.showModal();
    document.getElementById('confirm-dismiss').focus();
  });
}
