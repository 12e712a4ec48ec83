// placeholder: widget
