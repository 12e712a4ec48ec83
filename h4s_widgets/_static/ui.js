// placeholder: ui
